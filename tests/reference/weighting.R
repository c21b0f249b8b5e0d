# Reference values for analysis/weighting.py and analysis/weighted.py with R survey 4.1
# (Debian r-cran-survey). Run from the repository root: Rscript tests/reference/weighting.R
# Data: tests/fixtures/weighting_customers.csv (240 customers: region, type, items i1-i6 of two
# dimensions D1 = i1-i3 and D2 = i4-i6, satisfaction s1-s2, loyalty l1-l2, recommend rec 0-10,
# importance w1-w2, 5% missing answers) and weighting_employees.csv (45 employees, i1-i6).
# Customers are raked to region {north .40, east .35, south .25} x type {dealer .5, end .5}
# (population totals share x n, so the weights have mean 1), once plainly and once as
# rake -> trimWeights(0.8, 1.2 x mean, strict = FALSE) -> rake.
suppressMessages(library(survey))
library(jsonlite)
d <- read.csv("tests/fixtures/weighting_customers.csv")
e <- read.csv("tests/fixtures/weighting_employees.csv")
n <- nrow(d)
pop_region <- data.frame(region = c("north", "east", "south"), Freq = c(.40, .35, .25) * n)
pop_type <- data.frame(type = c("dealer", "end"), Freq = c(.5, .5) * n)
control <- list(maxit = 100, epsilon = 1e-8)
base <- svydesign(ids = ~1, weights = ~rep(1, n), data = d)
raked <- rake(base, list(~region, ~type), list(pop_region, pop_type), control = control)
w <- weights(raked)
trimmed0 <- trimWeights(raked, lower = 0.8 * mean(w), upper = 1.2 * mean(w), strict = FALSE)
trimmed <- rake(trimmed0, list(~region, ~type), list(pop_region, pop_type), control = control)

# dimension score: mean of the answered items when at least half are answered
score <- function(df, items) {
  m <- as.matrix(df[, items])
  k <- rowSums(!is.na(m))
  s <- rowMeans(m, na.rm = TRUE)
  s[k < length(items) / 2] <- NA
  s
}
add_scores <- function(df) {
  df$D1 <- score(df, c("i1", "i2", "i3"))
  df$D2 <- score(df, c("i4", "i5", "i6"))
  df
}
items <- c("i1", "i2", "i3", "i4", "i5", "i6")
estimates <- function(des) {
  des$variables <- add_scores(des$variables)
  v <- des$variables
  means <- list()
  for (x in c(items, "D1", "D2", "w1", "w2")) {
    m <- svymean(as.formula(paste0("~", x)), des, na.rm = TRUE)
    means[[x]] <- list(mean = unname(coef(m)), se = as.numeric(SE(m)))
  }
  # top-2 / bottom-2 box of an item: mean of the indicator (missing stays missing)
  box <- list()
  for (x in items) {
    des$variables$top <- ifelse(is.na(v[[x]]), NA, as.numeric(v[[x]] >= 4))
    des$variables$bottom <- ifelse(is.na(v[[x]]), NA, as.numeric(v[[x]] <= 2))
    t2 <- svymean(~top, des, na.rm = TRUE); b2 <- svymean(~bottom, des, na.rm = TRUE)
    box[[x]] <- list(top2 = unname(coef(t2)), top2_se = as.numeric(SE(t2)),
                     bottom2 = unname(coef(b2)), bottom2_se = as.numeric(SE(b2)))
  }
  # a dimension's shares pool the answers to its items: a ratio of totals
  dims <- list(D1 = c("i1", "i2", "i3"), D2 = c("i4", "i5", "i6"))
  for (name in names(dims)) {
    m <- as.matrix(v[, dims[[name]]])
    des$variables$ntop <- rowSums(m >= 4, na.rm = TRUE)
    des$variables$nbottom <- rowSums(m <= 2, na.rm = TRUE)
    des$variables$nans <- rowSums(!is.na(m))
    t2 <- svyratio(~ntop, ~nans, des); b2 <- svyratio(~nbottom, ~nans, des)
    box[[name]] <- list(top2 = unname(coef(t2)), top2_se = as.numeric(SE(t2)),
                        bottom2 = unname(coef(b2)), bottom2_se = as.numeric(SE(b2)))
  }
  # 0-100 index of item means (each on its answers): ratios y_i/a_i with their covariance,
  # then the linear combination 100 sum_i c_i (mean_i - 1) / 4 with c the normalised weights
  index <- function(its, weights) {
    for (x in its) {
      des$variables[[paste0("y_", x)]] <- ifelse(is.na(v[[x]]), 0, v[[x]])
      des$variables[[paste0("a_", x)]] <- as.numeric(!is.na(v[[x]]))
    }
    num <- as.formula(paste0("~", paste0("y_", its, collapse = "+")))
    den <- as.formula(paste0("~", paste0("a_", its, collapse = "+")))
    r <- svyratio(num, den, des, covmat = TRUE)
    keep <- paste0("y_", its, "/a_", its)
    cf <- coef(r)[keep]; vc <- vcov(r)[keep, keep]
    cc <- weights / sum(weights) * 100 / 4
    list(value = sum(cc * (cf - 1)), se = sqrt(drop(t(cc) %*% vc %*% cc)))
  }
  indices <- list(csi = index(items, rep(1, 6)), satisfaction_index = index(c("s1", "s2"), c(1, 1)),
                  loyalty_index = index(c("l1", "l2"), c(1, 1)),
                  csi_weighted = index(items, c(4, 4, 4, 3, 3, 3)))
  # NPS: mean of +100 promoter / -100 detractor / 0
  des$variables$nps <- ifelse(is.na(v$rec), NA, ifelse(v$rec >= 9, 100, ifelse(v$rec <= 6, -100, 0)))
  des$variables$promoter <- ifelse(is.na(v$rec), NA, as.numeric(v$rec >= 9))
  des$variables$detractor <- ifelse(is.na(v$rec), NA, as.numeric(v$rec <= 6))
  nps <- svymean(~nps, des, na.rm = TRUE)
  pro <- svymean(~promoter, des, na.rm = TRUE); det <- svymean(~detractor, des, na.rm = TRUE)
  # key drivers: satisfaction score (mean of the answered s1, s2) on the dimension scores
  des$variables$sat <- rowMeans(as.matrix(v[, c("s1", "s2")]), na.rm = TRUE)
  des$variables$sat[is.nan(des$variables$sat)] <- NA
  fit <- svyglm(sat ~ D1 + D2, design = des)
  s <- summary(fit)$coefficients
  list(weights = unname(weights(des)), means = means, box = box, indices = indices,
       nps = list(score = unname(coef(nps)), se = as.numeric(SE(nps)),
                  promoters = unname(coef(pro)), detractors = unname(coef(det))),
       drivers = list(b = unname(s[, 1]), se = unname(s[, 2]), t = unname(s[, 3]),
                      p = unname(s[, 4]), df = fit$df.residual))
}
# the other group of the gap: unweighted, as svymean on an equal-probability design
emp <- svydesign(ids = ~1, weights = ~rep(1, nrow(e)), data = add_scores(e))
employees <- list()
for (x in c(items, "D1", "D2")) {
  m <- svymean(as.formula(paste0("~", x)), emp, na.rm = TRUE)
  employees[[x]] <- list(mean = unname(coef(m)), se = as.numeric(SE(m)))
}
out <- list(raked = estimates(raked), trimmed = estimates(trimmed),
            trimmed_before_second_rake = unname(weights(trimmed0)),
            unweighted = estimates(base), employees = employees)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = FALSE),
           "tests/reference/weighting.json")
