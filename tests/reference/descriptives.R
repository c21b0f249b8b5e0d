# Reference values for analysis/descriptives.py (run from the repository root:
# Rscript tests/reference/descriptives.R). Data: tests/fixtures/indices.csv (written by indices.R:
# 60 customers, missing answers). Writes tests/reference/descriptives.json.
# Skewness and kurtosis: psych::skew(type = 2) and psych::kurtosi(type = 2) (G1, G2 as SPSS/SAS);
# scores by the product's rule written out here: a dimension score is the mean of the answered
# items when at least half are answered; an outcome score the mean of the answered items;
# correlations: cor.test per pair on the rows answered on both.
library(jsonlite)
library(psych)
d <- read.csv("tests/fixtures/indices.csv")
dims <- list(D1 = c("i1", "i2", "i3"), D2 = c("i4", "i5", "i6"))
outcomes <- list(satisfaction = c("w1", "w2"), loyalty = c("l1", "l2"))
score <- function(items, min_share) {
  x <- d[items]; answered <- rowSums(!is.na(x))
  s <- rowMeans(x, na.rm = TRUE)
  s[answered < min_share * length(items) | answered == 0] <- NA
  s
}
scores <- c(lapply(dims, score, min_share = 0.5), lapply(outcomes, score, min_share = 0))
describe1 <- function(x) {
  x <- x[!is.na(x)]
  list(n = length(x), mean = mean(x), sd = sd(x), min = min(x), max = max(x),
       skewness = skew(x, type = 2), kurtosis = kurtosi(x, type = 2))
}
items <- c(unlist(dims), unlist(outcomes))
pairs <- list()
vars <- names(scores)
for (i in 1:(length(vars) - 1)) for (j in (i + 1):length(vars)) {
  x <- scores[[vars[i]]]; y <- scores[[vars[j]]]; ok <- !is.na(x) & !is.na(y)
  ct <- cor.test(x[ok], y[ok])
  pairs[[paste(vars[i], vars[j], sep = "|")]] <- list(r = unname(ct$estimate), p = ct$p.value,
                                                       n = sum(ok))
}
# a small textbook check: the skewness and kurtosis of 1..10 squared
sq <- (1:10)^2
out <- list(
  items = setNames(lapply(items, function(i) describe1(d[[i]])), items),
  scores = setNames(lapply(scores, describe1), vars),
  correlations = pairs,
  squares = list(skewness = skew(sq, type = 2), kurtosis = kurtosi(sq, type = 2))
)
write_json(out, "tests/reference/descriptives.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
