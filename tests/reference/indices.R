# Reference values for analysis/indices.py (run from the repo root: Rscript tests/reference/indices.R).
# Writes the committed data tests/fixtures/indices.csv (60 customers: items i1-i6 on 1-5 with missing
# answers, expectations e1-e3 of i1-i3, importance ratings w1-w6, loyalty items l1-l2, a 0-10
# recommend question, a region) and tests/fixtures/indices_large.csv (3000 complete respondents,
# 4 items, for the bootstrap-vs-analytic check), and tests/reference/indices.json.
# Everything is computed by hand from the definitions (base R only): t.test for the CI of a mean,
# eigen() for AHP, the NPS formulas of Rocks (2016).
library(jsonlite)
set.seed(20261124)
n <- 60
lik <- function(n, p) sample(1:5, n, replace = TRUE, prob = p)
d <- data.frame(
  i1 = lik(n, c(.05, .10, .25, .40, .20)), i2 = lik(n, c(.10, .15, .30, .30, .15)),
  i3 = lik(n, c(.05, .05, .20, .40, .30)), i4 = lik(n, c(.15, .20, .30, .25, .10)),
  i5 = lik(n, c(.10, .20, .30, .25, .15)), i6 = lik(n, c(.05, .10, .30, .35, .20)),
  e1 = lik(n, c(.02, .05, .20, .43, .30)), e2 = lik(n, c(.02, .08, .30, .40, .20)),
  e3 = lik(n, c(.05, .10, .30, .35, .20)),
  w1 = lik(n, c(0, .05, .15, .40, .40)), w2 = lik(n, c(.05, .10, .35, .30, .20)),
  w3 = lik(n, c(0, .05, .20, .35, .40)), w4 = lik(n, c(.10, .20, .30, .30, .10)),
  w5 = lik(n, c(.05, .15, .30, .30, .20)), w6 = lik(n, c(0, .10, .30, .30, .30)),
  l1 = lik(n, c(.05, .10, .25, .35, .25)), l2 = lik(n, c(.10, .15, .30, .30, .15)),
  rec = sample(0:10, n, replace = TRUE, prob = c(1, 1, 1, 2, 2, 3, 5, 8, 10, 9, 8)),
  region = sample(c("north", "south", "east"), n, replace = TRUE, prob = c(.5, .4, .1))
)
# missing answers: scattered, plus respondents who skipped most of dimension D1
for (col in c("i1", "i2", "i3", "i4", "i5", "i6", "e1", "e2", "l1", "rec")) {
  d[sample(n, 4), col] <- NA
}
d[c(3, 17), c("i1", "i2")] <- NA  # 1 of 3 items of D1 answered: no D1 score (fewer than half)
d[c(25), c("i4")] <- NA; d[25, "i5"] <- NA  # idem for D2 (i6 may be answered)
write.csv(d, "tests/fixtures/indices.csv", row.names = FALSE, na = "")

dims <- list(D1 = c("i1", "i2", "i3"), D2 = c("i4", "i5", "i6"))
items <- unlist(dims, use.names = FALSE)
dim_score <- function(d, its, min_share = 0.5) {
  m <- as.matrix(d[, its, drop = FALSE]); k <- rowSums(!is.na(m))
  s <- rowMeans(m, na.rm = TRUE); s[k < min_share * length(its) | k == 0] <- NA; s
}
stat <- function(x) {
  x <- x[!is.na(x)]; tt <- t.test(x)
  list(mean = mean(x), sd = sd(x), ci = unname(tt$conf.int[1:2]), n = length(x))
}
boxes <- function(m) {
  m <- as.matrix(m); a <- sum(!is.na(m))
  list(top2 = sum(m >= 4, na.rm = TRUE) / a, bottom2 = sum(m <= 2, na.rm = TRUE) / a)
}
group_stats <- function(d) {
  list(
    dimensions = lapply(dims, function(its) c(stat(dim_score(d, its)), boxes(d[, its]))),
    items = setNames(lapply(items, function(i) c(stat(d[[i]]), boxes(d[[i]]))), items)
  )
}
csi <- function(d, its, w, lo = 1, hi = 5) {
  w <- w / sum(w); m <- colMeans(d[, its, drop = FALSE], na.rm = TRUE)
  100 * sum(w * (m - lo)) / (hi - lo)
}
cb_row <- function(b, a) {
  ok <- !is.na(b) & !is.na(a); b <- b[ok]; a <- a[ok]; nz <- a != 0
  rom <- mean(b) / mean(a)
  list(ratio_of_means = rom, mean_ratio = mean(b[nz] / a[nz]), difference = mean(b - a),
       n = length(b), class = if (rom < 0.95) "dissatisfied" else if (rom > 1.05) "delighted" else "satisfied")
}
nps_ref <- function(x, z = qnorm(0.975)) {
  x <- x[!is.na(x)]; n <- length(x); P <- sum(x >= 9); D <- sum(x <= 6)
  wald <- function(P, D, n) {
    p <- P / n; dd <- D / n; s <- 100 * (p - dd); se <- 100 * sqrt((p + dd - (p - dd)^2) / n)
    list(score = s, se = se, ci = c(s - z * se, s + z * se))
  }
  c(list(n = n, promoters = P, passives = n - P - D, detractors = D), wald(P, D, n),
    list(adjusted_wald = wald(P + 0.75, D + 0.75, n + 3)))
}
ahp <- function(A) {
  e <- eigen(A); k <- which.max(Re(e$values)); w <- abs(Re(e$vectors[, k])); w <- w / sum(w)
  lmax <- Re(e$values[k]); nn <- nrow(A); ci <- (lmax - nn) / (nn - 1)
  ri <- c(0, 0, .58, .90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49)[nn]
  list(weights = w, lambda_max = lmax, ci = ci, cr = ci / ri)
}
# AHP: a consistent-enough 4x4 example and an inconsistent 3x3 one
A4 <- matrix(c(1, 3, 5, 7,  1/3, 1, 3, 5,  1/5, 1/3, 1, 3,  1/7, 1/5, 1/3, 1), 4, byrow = TRUE)
A3bad <- matrix(c(1, 9, 1/9,  1/9, 1, 9,  9, 1/9, 1), 3, byrow = TRUE)
A2 <- matrix(c(1, 3, 1/3, 1), 2, byrow = TRUE)  # D1 vs D2

imp_w <- colMeans(d[, paste0("w", 1:6)], na.rm = TRUE)
dim_imp_w <- rep(c(mean(d$w1, na.rm = TRUE), mean(d$w4, na.rm = TRUE)) / 3, each = 3)
ahp_dims <- ahp(A2)$weights
ahp_item_w <- rep(ahp_dims / 3, each = 3)
given <- c(D1 = 2, D2 = 1)
given_item_w <- rep(given / 3, each = 3)

# Delta-method se of the index with item-wise missing data: influence values
# z_r = sum_i c_i * 1[r answered i] * (x_ri - mean_i) / N_i, se = sqrt(sum_r z_r^2)
csi_delta_se <- function(d, its, w, lo = 1, hi = 5) {
  m <- as.matrix(d[, its]); m <- m[rowSums(!is.na(m)) > 0, , drop = FALSE]
  cc <- 100 * (w / sum(w)) / (hi - lo); mu <- colMeans(m, na.rm = TRUE); Ni <- colSums(!is.na(m))
  dev <- sweep(m, 2, mu); dev[is.na(dev)] <- 0
  z <- dev %*% (cc / Ni); sqrt(sum(z^2))
}

out <- list(
  all = c(group_stats(d), list(
    csi_equal_delta_se = csi_delta_se(d, items, rep(1, 6)),
    csi_importance_delta_se = csi_delta_se(d, items, imp_w),
    csi_equal = csi(d, items, rep(1, 6)),
    csi_importance = csi(d, items, imp_w), importance_weights = unname(imp_w / sum(imp_w)),
    # importance declared per dimension (w1 for D1, w4 for D2), spread over the dimension's items
    csi_importance_dims = csi(d, items, dim_imp_w),
    importance_dims_weights = unname(dim_imp_w / sum(dim_imp_w)),
    csi_d1 = csi(d, dims$D1, rep(1, 3)),
    csi_ahp = csi(d, items, ahp_item_w), ahp_item_weights = unname(ahp_item_w / sum(ahp_item_w)),
    csi_given = csi(d, items, given_item_w),
    loyalty = csi(d, c("l1", "l2"), c(1, 1)),
    nps = nps_ref(d$rec),
    cb = list(
      items = setNames(lapply(1:3, function(j) cb_row(d[[paste0("i", j)]], d[[paste0("e", j)]])),
                       c("i1", "i2", "i3")),
      D1 = cb_row(dim_score(d, dims$D1), dim_score(d, c("e1", "e2", "e3")))
    )
  )),
  segments = lapply(split(d, d$region), function(s) c(
    list(n = nrow(s), csi_equal = csi(s, items, rep(1, 6)), nps = nps_ref(s$rec)), group_stats(s))),
  ahp4 = ahp(A4), ahp3bad = ahp(A3bad), ahp2 = ahp(A2),
  # NPS edge: all promoters (Wald se 0) and a tiny sample
  nps_all_promoters = nps_ref(c(9, 10, 10, 9, 10)),
  nps_small = nps_ref(c(0, 10, 8))
)

# Large sample, complete data: CSI = 100 * mean of respondent scores s_r = sum_i w_i (x_ri - 1) / 4,
# so its standard error is exactly 100 * sd(s) / sqrt(n) (the bootstrap se estimates this up to
# the factor sqrt((n-1)/n)); the normal-theory 95% interval is value +- 1.96 se.
N <- 3000
big <- data.frame(b1 = lik(N, c(.05, .10, .25, .40, .20)), b2 = lik(N, c(.10, .15, .30, .30, .15)),
                  b3 = lik(N, c(.05, .05, .20, .40, .30)), b4 = lik(N, c(.15, .20, .30, .25, .10)))
write.csv(big, "tests/fixtures/indices_large.csv", row.names = FALSE)
wb <- c(0.4, 0.3, 0.2, 0.1)
s <- as.matrix(big - 1) %*% wb / 4 * 100
out$large <- list(value = mean(s), se = sd(s) / sqrt(N), se_delta = sd(s) * sqrt((N - 1) / N) / sqrt(N),
                  ci = mean(s) + c(-1, 1) * qnorm(0.975) * sd(s) / sqrt(N), weights = wb)

writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "tests/reference/indices.json")
