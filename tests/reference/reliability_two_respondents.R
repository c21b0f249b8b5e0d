suppressMessages(library(psych))
B <- data.frame(B1=c(1,2),B2=c(2,2),B3=c(5,1))
a <- suppressWarnings(alpha(B, check.keys=FALSE, warnings=FALSE))
print(a$total$raw_alpha, digits=17)
