# Reference values for analysis/text.py (Rscript tests/reference/text.R from the project root;
# base R and jsonlite only). Writes tests/reference/text.json:
# - log_odds: a table of term counts in two groups (40 terms, Poisson counts, seed below, some
#   zeros on either side) and, per term, the weighted log-odds ratio with the informative Dirichlet
#   prior alpha_w = y_a + y_b (Monroe, Colaresi & Quinn 2008): delta, variance and z;
# - npmi: a 0/1 documents x terms matrix (60 x 12, seed below), topics given by their terms
#   (1-based here, 0-based in the JSON) and the mean NPMI coherence (Bouma 2009), with -1 for
#   pairs never together.
suppressPackageStartupMessages(library(jsonlite))

set.seed(20240519)
terms <- 40
y_a <- rpois(terms, rep(c(8, 2, 0.5, 4), each = 10))
y_b <- rpois(terms, rep(c(2, 8, 4, 0.5), each = 10))
both <- y_a + y_b > 0
y_a <- y_a[both]; y_b <- y_b[both]
alpha <- y_a + y_b
n_a <- sum(y_a); n_b <- sum(y_b); a0 <- sum(alpha)
delta <- log((y_a + alpha) / (n_a + a0 - y_a - alpha)) - log((y_b + alpha) / (n_b + a0 - y_b - alpha))
variance <- 1 / (y_a + alpha) + 1 / (y_b + alpha)
z <- delta / sqrt(variance)

set.seed(7)
docs <- 60
present <- matrix(rbinom(docs * 12, 1, rep(c(0.5, 0.3, 0.1), each = 4 * docs)), docs, 12)
present[1:20, 1:3] <- 1  # three terms often together
topics <- list(c(1, 2, 3), c(4, 5, 6, 7), c(1, 8, 12), c(9, 10, 11, 12))
npmi_pair <- function(i, j) {
  p_ij <- mean(present[, i] == 1 & present[, j] == 1)
  if (p_ij == 0) return(-1)
  if (p_ij == 1) return(1)
  log(p_ij / (mean(present[, i]) * mean(present[, j]))) / -log(p_ij)
}
topic_npmi <- sapply(topics, function(tp) {
  pairs <- combn(tp, 2)
  mean(apply(pairs, 2, function(p) npmi_pair(p[1], p[2])))
})

out <- list(
  log_odds = list(y_a = y_a, y_b = y_b, delta = delta, variance = variance, z = z),
  npmi = list(present = present, topics = lapply(topics, function(tp) tp - 1),
              topic_npmi = topic_npmi, coherence = mean(topic_npmi)),
  r_version = R.version.string
)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, matrix = "rowmajor"), "tests/reference/text.json")
