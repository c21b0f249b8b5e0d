# Reference values for analysis/gaps.py (run from the repo root: Rscript tests/reference/gaps.R).
# Writes the committed data tests/fixtures/gaps_customers.csv (40 customers, wave 1: items i1-i6 on
# 1-5 with missing answers, expectations e1-e3 of i1-i3, a 0-10 recommend question),
# tests/fixtures/gaps_employees.csv (25 employees, same items, rating the company higher),
# tests/fixtures/gaps_customers_w2.csv (45 customers, wave 2) and tests/reference/gaps.json.
# Welch: t.test(var.equal = FALSE); Mann-Whitney: wilcox.test(exact = FALSE, correct = TRUE) (normal
# approximation, tie-corrected variance, continuity correction); Hedges' g: effectsize::hedges_g
# (pooled sd, exact J, noncentral-t CI found by optim) and the same by hand with uniroot at full
# precision; p.adjust(holm, BH); paired: t.test(paired = TRUE), wilcox.test(paired = TRUE,
# exact = FALSE, correct = TRUE) (zeros dropped).
library(jsonlite)
library(effectsize)
set.seed(4)
lik <- function(n, p) sample(1:5, n, replace = TRUE, prob = p)
make <- function(n, shift) {
  base <- list(c(.10, .20, .30, .25, .15), c(.05, .15, .35, .30, .15), c(.15, .25, .30, .20, .10),
               c(.05, .10, .30, .35, .20), c(.10, .20, .35, .25, .10), c(.10, .15, .30, .30, .15))
  d <- as.data.frame(lapply(seq_along(base), function(j) {
    p <- base[[j]] * exp(shift[j] * (1:5)); lik(n, p / sum(p))
  }))
  names(d) <- paste0("i", 1:6)
  for (col in names(d)) d[sample(n, 3), col] <- NA
  d
}
cust <- make(40, c(0, 0, 0, 0, 0, 0))
cust$e1 <- lik(40, c(.02, .08, .25, .40, .25)); cust$e2 <- lik(40, c(.02, .08, .30, .40, .20))
cust$e3 <- lik(40, c(.05, .10, .30, .35, .20)); cust[c(5, 9), "e2"] <- NA
cust$rec <- sample(0:10, 40, replace = TRUE, prob = c(1, 1, 1, 2, 2, 3, 5, 8, 10, 9, 8))
emp <- make(25, c(.8, .1, .6, 0, .5, -.2))
w2 <- make(45, c(.3, .3, .3, .3, .3, .3))
w2$rec <- sample(0:10, 45, replace = TRUE, prob = c(1, 1, 1, 1, 1, 2, 4, 8, 10, 12, 12))
write.csv(cust, "tests/fixtures/gaps_customers.csv", row.names = FALSE, na = "")
write.csv(emp, "tests/fixtures/gaps_employees.csv", row.names = FALSE, na = "")
write.csv(w2, "tests/fixtures/gaps_customers_w2.csv", row.names = FALSE, na = "")

dims <- list(D1 = c("i1", "i2", "i3"), D2 = c("i4", "i5", "i6"))
dim_score <- function(d, its) {
  m <- as.matrix(d[, its, drop = FALSE]); k <- rowSums(!is.na(m))
  s <- rowMeans(m, na.rm = TRUE); s[k < length(its) / 2 | k == 0] <- NA; s
}
g_by_hand <- function(x, y, level = 0.95) {
  n1 <- length(x); n2 <- length(y); df <- n1 + n2 - 2
  sp <- sqrt(((n1 - 1) * var(x) + (n2 - 1) * var(y)) / df)
  d <- (mean(x) - mean(y)) / sp; J <- exp(lgamma(df / 2) - log(sqrt(df / 2)) - lgamma((df - 1) / 2))
  h <- sqrt(1 / n1 + 1 / n2); t <- d / h; a <- 1 - level
  root <- function(prob) uniroot(function(ncp) pt(t, df, ncp) - prob, t + c(-20, 20), tol = 1e-13)$root
  c(g = J * d, lo = J * root(1 - a / 2) * h, hi = J * root(a / 2) * h)
}
two <- function(x, y) {
  x <- x[!is.na(x)]; y <- y[!is.na(y)]
  tt <- t.test(x, y, var.equal = FALSE); w <- wilcox.test(x, y, exact = FALSE, correct = TRUE)
  es <- hedges_g(x, y, pooled_sd = TRUE, ci = 0.95)
  list(n_a = length(x), n_b = length(y), mean_a = mean(x), mean_b = mean(y),
       diff = mean(x) - mean(y), t = unname(tt$statistic), df = unname(tt$parameter),
       p = tt$p.value, u = unname(w$statistic), p_mwu = w$p.value,
       hedges_g = es$Hedges_g, g_ci = c(es$CI_low, es$CI_high), g_hand = unname(g_by_hand(x, y)))
}
adjust <- function(rows) {
  p <- sapply(rows, `[[`, "p"); pm <- sapply(rows, `[[`, "p_mwu")
  for (k in seq_along(rows)) {
    rows[[k]]$p_holm <- p.adjust(p, "holm")[k]; rows[[k]]$p_bh <- p.adjust(p, "BH")[k]
    rows[[k]]$p_mwu_holm <- p.adjust(pm, "holm")[k]
  }
  rows
}
items <- paste0("i", 1:6)
gaps <- list(
  dimensions = adjust(lapply(dims, function(its) two(dim_score(cust, its), dim_score(emp, its)))),
  items = adjust(setNames(lapply(items, function(i) two(cust[[i]], emp[[i]])), items)),
  identical = two(cust$i1, cust$i1)
)

paired <- function(p, e) {
  ok <- !is.na(p) & !is.na(e); p <- p[ok]; e <- e[ok]
  tt <- t.test(p, e, paired = TRUE); w <- wilcox.test(p, e, paired = TRUE, exact = FALSE, correct = TRUE)
  list(n = length(p), mean_gap = mean(p - e), t = unname(tt$statistic), df = unname(tt$parameter),
       p = tt$p.value, gap_ci = unname(tt$conf.int[1:2]), v = unname(w$statistic), p_wilcoxon = w$p.value)
}
sq_items <- setNames(lapply(1:3, function(j) paired(cust[[paste0("i", j)]], cust[[paste0("e", j)]])),
                     c("i1", "i2", "i3"))
pt_ <- sapply(sq_items, `[[`, "p"); pw <- sapply(sq_items, `[[`, "p_wilcoxon")
for (k in 1:3) {
  sq_items[[k]]$p_holm <- p.adjust(pt_, "holm")[k]; sq_items[[k]]$p_bh <- p.adjust(pt_, "BH")[k]
  sq_items[[k]]$p_wilcoxon_holm <- p.adjust(pw, "holm")[k]
}
servqual <- list(items = sq_items,
                 D1 = paired(dim_score(cust, dims$D1), dim_score(cust, c("e1", "e2", "e3"))))

# waves: wave-2 minus wave-1 customers; dimension means by Welch t; NPS by z on independent se's
nps_parts <- function(x) {
  x <- x[!is.na(x)]; n <- length(x); p <- mean(x >= 9); d <- mean(x <= 6)
  c(score = 100 * (p - d), se = 100 * sqrt((p + d - (p - d)^2) / n))
}
waves <- lapply(dims, function(its) {
  x <- dim_score(cust, its); y <- dim_score(w2, its); tt <- t.test(y[!is.na(y)], x[!is.na(x)])
  list(diff = mean(y, na.rm = TRUE) - mean(x, na.rm = TRUE), ci = unname(tt$conf.int[1:2]),
       t = unname(tt$statistic), df = unname(tt$parameter), p = tt$p.value)
})
a <- nps_parts(cust$rec); b <- nps_parts(w2$rec); se <- sqrt(a[["se"]]^2 + b[["se"]]^2)
dn <- b[["score"]] - a[["score"]]
waves$nps <- list(diff = dn, ci = dn + c(-1, 1) * qnorm(0.975) * se, z = dn / se,
                  p = 2 * pnorm(-abs(dn / se)))

out <- list(gaps = gaps, servqual = servqual, waves = waves)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "tests/reference/gaps.json")
