# Careless-responding indices, written from their definitions (Curran 2016; R careless 1.2,
# which Debian does not package), per respondent of tests/fixtures/careless.csv.
# Item a2 is reverse-coded (6 - x) before screening; items in declared order a1..e1.
# Run from the repository root: Rscript tests/reference/careless.R
library(jsonlite)
x <- read.csv("tests/fixtures/careless.csv")
x$a2 <- 6 - x$a2
dims <- list(A = c("a1", "a2", "a3", "a4"), B = c("b1", "b2", "b3"), C = c("c1", "c2", "c3"),
             D = c("d1", "d2"), E = c("e1"))
items <- unlist(dims, use.names = FALSE)
m <- as.matrix(x[, items])

longest_run <- function(v) {
  best <- NA; run <- 0; prev <- NA
  for (a in v) {
    if (is.na(a)) { run <- 0 } else if (!is.na(prev) && a == prev) { run <- run + 1 } else { run <- 1 }
    if (!is.na(a)) best <- max(c(best, run), na.rm = TRUE)
    prev <- a
  }
  best
}
longstring <- apply(m, 1, longest_run)

irv <- apply(m, 1, function(v) if (sum(!is.na(v)) < 2) NA else sd(v, na.rm = TRUE))

complete <- complete.cases(m)
center <- colMeans(m[complete, ])
S <- cov(m[complete, ])
d2 <- rep(NA_real_, nrow(m))
d2[complete] <- mahalanobis(m[complete, ], center, S)
p <- pchisq(d2, df = ncol(m), lower.tail = FALSE)

halves <- Filter(function(its) length(its) >= 2, dims)
even_odd <- sapply(seq_len(nrow(m)), function(r) {
  odd <- sapply(halves, function(its) mean(m[r, its[seq(1, length(its), 2)]], na.rm = TRUE))
  even <- sapply(halves, function(its) mean(m[r, its[seq(2, length(its), 2)]], na.rm = TRUE))
  ok <- is.finite(odd) & is.finite(even)
  if (sum(ok) < 3 || sd(odd[ok]) == 0 || sd(even[ok]) == 0) return(NA)
  r <- cor(odd[ok], even[ok])
  sb <- 2 * r / (1 + r)
  max(sb, -1)
})

attention <- !is.na(x$att) & x$att != 4

out <- list(longstring = longstring, irv = irv, mahalanobis_d2 = d2, mahalanobis_p = p,
            even_odd = even_odd, attention = attention)
writeLines(toJSON(out, digits = NA, na = "null", pretty = FALSE),
           "tests/reference/careless.json")
