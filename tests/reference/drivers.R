# Reference values for analysis/drivers.py (run from the repository root: Rscript tests/reference/drivers.R)
# Writes tests/fixtures/mtcars.csv (R's built-in mtcars) and tests/reference/drivers.json.
# OLS: lm; VIF: car::vif; relative weights: Johnson (2000) by hand; LMG: the average over all
# orderings of the R^2 increments, by brute force over every permutation (base R, no relaimpo).
library(jsonlite)
d <- mtcars
write.csv(cbind(model = rownames(d), d), "tests/fixtures/mtcars.csv", row.names = FALSE)
y <- "mpg"; x <- c("cyl", "disp", "hp", "gear")
fit <- lm(reformulate(x, y), d); s <- summary(fit)
ct <- coef(s)
beta_std <- coef(fit)[x] * sapply(d[x], sd) / sd(d[[y]])
fs <- s$fstatistic
# Johnson's relative weights
R <- cor(d[c(x, y)]); rxx <- R[x, x]; rxy <- R[x, y]
e <- eigen(rxx)
lam <- e$vectors %*% diag(sqrt(e$values)) %*% t(e$vectors)
b <- solve(lam) %*% rxy
raw <- as.vector((lam^2) %*% (b^2))
# LMG over all orderings
perms <- function(v) if (length(v) <= 1) list(v) else
  do.call(c, lapply(seq_along(v), function(i) lapply(perms(v[-i]), function(p) c(v[i], p))))
r2 <- function(vars) if (length(vars) == 0) 0 else summary(lm(reformulate(vars, y), d))$r.squared
orders <- perms(x)
lmg <- setNames(numeric(length(x)), x)
for (o in orders) {
  prev <- character(0)
  for (v in o) { lmg[v] <- lmg[v] + r2(c(prev, v)) - r2(prev); prev <- c(prev, v) }
}
lmg <- lmg / length(orders)
out <- list(
  predictors = x, n = nrow(d), r2 = s$r.squared, adj_r2 = s$adj.r.squared,
  f = unname(fs[1]), df_model = unname(fs[2]), df_resid = unname(fs[3]),
  f_p = unname(pf(fs[1], fs[2], fs[3], lower.tail = FALSE)),
  intercept = unname(coef(fit)[1]),
  b = unname(ct[x, 1]), se = unname(ct[x, 2]), t = unname(ct[x, 3]), p = unname(ct[x, 4]),
  beta = unname(beta_std), vif = unname(car::vif(fit)[x]),
  raw_weight = raw, rescaled_weight = raw / sum(raw), lmg = unname(lmg), n_orderings = length(orders),
  r_xy = unname(rxy)
)
write_json(out, "tests/reference/drivers.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
