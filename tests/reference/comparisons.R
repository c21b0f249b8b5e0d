# Reference values for analysis/comparisons.py (Rscript tests/reference/comparisons.R from the repo root).
# Writes the committed dataset tests/fixtures/comparisons.csv (4 regions, unequal n and variances,
# scores on a half-point grid so that ranks are tied) and tests/reference/comparisons.json.
# ANOVA: aov; Welch: oneway.test(var.equal = FALSE); Kruskal: kruskal.test; Tukey: TukeyHSD;
# Games-Howell: rstatix::games_howell_test; Dunn (Holm): rstatix::dunn_test;
# eta^2: effectsize::eta_squared; epsilon^2: effectsize::rank_epsilon_squared.
library(jsonlite)
set.seed(20261124)
sizes <- c(north = 12, south = 9, east = 15, west = 7)
means <- c(north = 3.6, south = 3.1, east = 3.9, west = 3.0)
sds <- c(north = 0.5, south = 0.9, east = 0.4, west = 1.1)
region <- rep(names(sizes), sizes)
score <- round(2 * pmin(5, pmax(1, rnorm(sum(sizes), means[region], sds[region])))) / 2
d <- data.frame(region = region, score = score)
write.csv(d, "tests/fixtures/comparisons.csv", row.names = FALSE)
d$region <- factor(d$region, levels = names(sizes))

a <- summary(aov(score ~ region, d))[[1]]
w <- oneway.test(score ~ region, d, var.equal = FALSE)
k <- kruskal.test(score ~ region, d)
tk <- TukeyHSD(aov(score ~ region, d))$region
gh <- rstatix::games_howell_test(d, score ~ region, conf.level = 0.95)
dn <- rstatix::dunn_test(d, score ~ region, p.adjust.method = "holm")
eta <- effectsize::eta_squared(aov(score ~ region, d), partial = FALSE)$Eta2
eps <- effectsize::rank_epsilon_squared(score ~ region, d)$rank_epsilon_squared
# Dunn's z by hand (Dunn 1964, tie-corrected variance) as a second check on rstatix
n <- nrow(d); r <- rank(d$score); rbar <- tapply(r, d$region, mean); ni <- table(d$region)
ties <- table(d$score); tc <- sum(ties^3 - ties) / (12 * (n - 1))
pairs <- combn(levels(d$region), 2)
z_hand <- apply(pairs, 2, function(p) (rbar[p[1]] - rbar[p[2]]) /
  sqrt((n * (n + 1) / 12 - tc) * (1 / ni[p[1]] + 1 / ni[p[2]])))
p_hand <- 2 * pnorm(-abs(z_hand))
# Games-Howell p by hand at full precision (rstatix rounds p.adj to 3 decimals)
mi <- tapply(d$score, d$region, mean); vi <- tapply(d$score, d$region, var); kk <- nlevels(d$region)
gh_hand <- t(apply(pairs, 2, function(p) {
  se2 <- vi[p[1]] / ni[p[1]] + vi[p[2]] / ni[p[2]]
  df <- se2^2 / ((vi[p[1]] / ni[p[1]])^2 / (ni[p[1]] - 1) + (vi[p[2]] / ni[p[2]])^2 / (ni[p[2]] - 1))
  tt <- (mi[p[2]] - mi[p[1]]) / sqrt(se2)
  c(t = unname(tt), df = unname(df), p_adj = ptukey(abs(unname(tt)) * sqrt(2), kk, unname(df), lower.tail = FALSE))
}))
# Studentized range distribution: R's ptukey is accurate for df >= 10 or so (it is far off for
# small df, e.g. 1e-3 relative at df = 2.5, where the tests use the exact k = 2 identity instead)
ptk <- expand.grid(q = c(0.5, 1, 2, 3, 4, 6), k = c(2, 3, 5, 10), df = c(10, 39, 1000))
ptk$sf <- ptukey(ptk$q, ptk$k, ptk$df, lower.tail = FALSE)
qtk <- expand.grid(k = c(2, 3, 5, 10), df = c(5, 10, 39, 1000))
qtk$q95 <- qtukey(0.95, qtk$k, qtk$df)
out <- list(
  ptukey = ptk, qtukey = qtk,
  anova = list(f = a$`F value`[1], df1 = a$Df[1], df2 = a$Df[2], p = a$`Pr(>F)`[1], eta2 = eta),
  welch = list(f = unname(w$statistic), df1 = unname(w$parameter[1]), df2 = unname(w$parameter[2]),
               p = w$p.value),
  kruskal = list(h = unname(k$statistic), df = unname(k$parameter), p = k$p.value, epsilon2 = eps),
  tukey = data.frame(pair = rownames(tk), diff = tk[, "diff"], lo = tk[, "lwr"], hi = tk[, "upr"],
                     p_adj = tk[, "p adj"]),
  games_howell = data.frame(a = gh$group1, b = gh$group2, diff = gh$estimate, lo = gh$conf.low,
                            hi = gh$conf.high, p_adj = gh$p.adj),
  games_howell_hand = data.frame(a = pairs[1, ], b = pairs[2, ], t = gh_hand[, "t"], df = gh_hand[, "df"],
                                 p_adj = gh_hand[, "p_adj"]),
  dunn = data.frame(a = dn$group1, b = dn$group2, z = dn$statistic, p = dn$p, p_adj = dn$p.adj),
  dunn_hand = data.frame(a = pairs[1, ], b = pairs[2, ], z = unname(z_hand), p = unname(p_hand),
                         p_holm = p.adjust(unname(p_hand), "holm"))
)
write_json(out, "tests/reference/comparisons.json", digits = NA, auto_unbox = TRUE, pretty = TRUE,
           dataframe = "rows")
