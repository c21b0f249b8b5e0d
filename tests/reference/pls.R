# Reference values for analysis/pls.py (run from the repository root: Rscript tests/reference/pls.R)
#
# Packages: seminr 2.3.4 and plspm 0.5.1 (CRAN releases), with their dependencies tester 0.1.9 and
# turner 0.1.8 (gastonstat's GitHub sources), diagram 1.6.5, and shape, amap, glue, lavaan from
# Debian. CRAN is not reachable here: the packages were installed from the sources of the
# cran/seminr, cran/plspm, cran/diagram, gastonstat/tester and gastonstat/turner repositories
# into a private library (R_LIBS=...). seminr's DESCRIPTION was trimmed of the imports used only
# by its plots and vignettes (DiagrammeR, DiagrammeRsvg, webp, knitr, testthat, rmarkdown; not in
# Debian); its NAMESPACE imports nothing and no estimation code was changed.
#
# Writes tests/fixtures/pls_satisfaction.csv (plspm's `satisfaction`: the ECSI mobile-phone data of
# Tenenhaus et al. 2005 / Sanchez 2013, 250 customers, 27 items), tests/fixtures/pls_mobi.csv
# (seminr's `mobi`, the same ECSI study with its original item names, 250 x 24) and
# tests/reference/pls.json.
suppressMessages({library(jsonlite); library(seminr); library(plspm)})
data(satisfaction, package = "plspm"); data(mobi, package = "seminr")
sat <- satisfaction[, 1:27]
write.csv(sat, "tests/fixtures/pls_satisfaction.csv", row.names = FALSE)
write.csv(mobi, "tests/fixtures/pls_mobi.csv", row.names = FALSE)

blocks <- list(IMAG = paste0("imag", 1:5), EXPE = paste0("expe", 1:5), QUAL = paste0("qual", 1:5),
               VAL = paste0("val", 1:4), SAT = paste0("sat", 1:4), LOY = paste0("loy", 1:4))
lvs <- names(blocks)
paths <- list(c("IMAG", "EXPE"), c("IMAG", "SAT"), c("IMAG", "LOY"), c("EXPE", "QUAL"),
              c("EXPE", "VAL"), c("EXPE", "SAT"), c("QUAL", "VAL"), c("QUAL", "SAT"),
              c("VAL", "SAT"), c("SAT", "LOY"))
pname <- function(p) paste0(p[1], "->", p[2])
named <- function(values, names) setNames(as.list(unname(values)), names)

# ---------------------------------------------------------------------------------------- seminr
seminr_fit <- function(data, blocks, paths, modes, inner = path_weighting) {
  mm <- do.call(constructs, lapply(names(blocks), function(b)
    if (modes[[b]] == "B") composite(b, blocks[[b]], weights = mode_B)
    else composite(b, blocks[[b]], weights = mode_A)))
  sm <- do.call(relationships, lapply(paths, function(p) paths(from = p[1], to = p[2])))
  suppressMessages(estimate_pls(data, mm, sm, inner_weights = inner))
}
outer_of <- function(m, blocks, what) {
  mat <- m[[what]]; out <- list()
  for (b in names(blocks)) for (i in blocks[[b]]) out[[i]] <- mat[i, b]
  out
}
path_values <- function(coef, paths) named(sapply(paths, function(p) coef[p[1], p[2]]),
                                           sapply(paths, pname))
seminr_core <- function(m, blocks, paths) {
  endo <- colnames(m$rSquared)
  list(weights = outer_of(m, blocks, "outer_weights"), loadings = outer_of(m, blocks, "outer_loadings"),
       paths = path_values(m$path_coef, paths),
       r2 = named(m$rSquared["Rsq", endo], endo), r2_adj = named(m$rSquared["AdjRsq", endo], endo),
       iterations = m$iterations)
}

# SRMR of the saturated composite model (Henseler et al. 2014; Schuberth, Henseler & Dijkstra 2018):
# indicator correlations within a block as observed; between blocks lambda_i lambda_j r(k, l),
# lambda the loadings, r the correlations of the composites. Root mean square of the differences
# over the lower triangle with the diagonal.
srmr_composite <- function(m, data, blocks) {
  items <- unname(unlist(blocks)); R <- cor(data[, items]); S <- R
  owner <- rep(names(blocks), lengths(blocks)); names(owner) <- items
  lam <- sapply(items, function(i) m$outer_loadings[i, owner[i]])
  Phi <- cor(m$construct_scores)
  for (i in items) for (j in items) if (owner[i] != owner[j])
    S[i, j] <- lam[i] * lam[j] * Phi[owner[i], owner[j]]
  d <- (R - S)[lower.tri(R, diag = TRUE)]
  sqrt(mean(d^2))
}

# Importance-performance map (Ringle & Sarstedt 2016) computed the long way: construct scores
# rescaled to 0-100 with the unstandardised weights (w / sd of the item, summing to 1 in the
# block; Fornell et al. 1996), unstandardised path coefficients by lm() on the rescaled scores,
# total effects (I - B)^-1 - I. Performance = mean rescaled score = the 0-100 index.
ipma <- function(m, data, blocks, paths, lo, hi, target) {
  rescaled <- sapply(names(blocks), function(b) {
    w <- m$outer_weights[blocks[[b]], b] / apply(data[, blocks[[b]]], 2, sd)
    w <- w / sum(w)
    100 * as.matrix((data[, blocks[[b]]] - lo) / (hi - lo)) %*% w
  })
  colnames(rescaled) <- names(blocks)
  B <- matrix(0, length(blocks), length(blocks), dimnames = list(names(blocks), names(blocks)))
  scores <- as.data.frame(rescaled)
  for (to in unique(sapply(paths, `[`, 2))) {
    from <- sapply(Filter(function(p) p[2] == to, paths), `[`, 1)
    fit <- lm(reformulate(from, to), data = scores)
    B[from, to] <- coef(fit)[from]
  }
  total <- solve(diag(nrow(B)) - B) - diag(nrow(B))
  list(target = target, indices = named(colMeans(rescaled), names(blocks)),
       importance = named(total[, target], names(blocks)))
}

modes_all <- function(mode) setNames(as.list(rep(mode, length(blocks))), lvs)
sat_a <- seminr_fit(sat, blocks, paths, modes_all("A"))
s <- summary(sat_a)
htmt <- s$validity$htmt
htmt_pairs <- list()
for (a in seq_along(lvs)) for (b in seq_along(lvs)) if (a < b)
  htmt_pairs[[paste0(lvs[a], "|", lvs[b])]] <- htmt[lvs[b], lvs[a]]  # seminr fills the lower triangle
cross <- s$validity$cross_loadings
f2 <- named(sapply(paths, function(p) s$fSquare[p[1], p[2]]), sapply(paths, pname))
vif <- list()
for (to in names(s$vif_antecedents)) for (from in names(s$vif_antecedents[[to]]))
  vif[[paste0(from, "->", to)]] <- unname(s$vif_antecedents[[to]][from])
te <- s$total_effects
total <- list()
for (a in lvs) for (b in lvs) if (te[a, b] != 0) total[[paste0(a, "->", b)]] <- te[a, b]
path_a <- c(seminr_core(sat_a, blocks, paths), list(
  alpha = named(s$reliability[lvs, "alpha"], lvs), rho_c = named(s$reliability[lvs, "rhoC"], lvs),
  rho_a = named(s$reliability[lvs, "rhoA"], lvs), ave = named(s$reliability[lvs, "AVE"], lvs),
  htmt = htmt_pairs, f2 = f2, vif = vif, total_effects = total,
  cross_loadings = lapply(setNames(rownames(cross), rownames(cross)),
                          function(i) named(cross[i, lvs], lvs)),
  srmr = srmr_composite(sat_a, sat, blocks),
  ipma = ipma(sat_a, sat, blocks, paths, 0, 10, "LOY"),
  scores_head = lapply(lvs, function(b) unname(sat_a$construct_scores[1:5, b]))))
names(path_a$scores_head) <- lvs

sat_factorial <- seminr_core(seminr_fit(sat, blocks, paths, modes_all("A"), path_factorial),
                             blocks, paths)
sat_b <- seminr_fit(sat, blocks, paths, modes_all("B"))
path_b <- seminr_core(sat_b, blocks, paths)
mixed_modes <- modes_all("A"); mixed_modes$VAL <- "B"; mixed_modes$QUAL <- "B"
path_mixed <- seminr_core(seminr_fit(sat, blocks, paths, mixed_modes), blocks, paths)

# seminr's bootstrap (percentile CIs, SD of the resamples): Monte-Carlo values to compare within
# their own error; seed 1 and 500 resamples.
boot <- suppressMessages(bootstrap_model(sat_a, nboot = 500, cores = 1, seed = 1))
bs <- summary(boot)
bp <- bs$bootstrapped_paths
boot_paths <- lapply(setNames(sapply(paths, pname), sapply(paths, pname)), function(nm) {
  row <- paste0(sub("->", "  ->  ", nm))
  list(se = unname(bp[row, "Bootstrap SD"]), ci_low = unname(bp[row, "2.5% CI"]),
       ci_high = unname(bp[row, "97.5% CI"]))
})

# ---------------------------------------------------------------------------------------- plspm
pm <- matrix(0, length(lvs), length(lvs), dimnames = list(lvs, lvs))
for (p in paths) pm[p[2], p[1]] <- 1
plspm_fit <- function(scheme, mode, scaled, tol = 1e-12) {
  fit <- plspm(sat, pm, blocks, modes = rep(mode, length(lvs)), scheme = scheme, scaled = scaled,
               tol = tol, maxiter = 1000)
  om <- fit$outer_model
  endo <- lvs[rowSums(pm) > 0]
  list(weights = named(om$weight, om$name), loadings = named(om$loading, om$name),
       paths = named(sapply(paths, function(p) fit$path_coefs[p[2], p[1]]), sapply(paths, pname)),
       r2 = named(fit$inner_summary[endo, "R2"], endo), iterations = fit$model$iter,
       gof = fit$gof, eig_1st = named(fit$unidim[lvs, "eig.1st"], lvs),
       eig_2nd = named(fit$unidim[lvs, "eig.2nd"], lvs), alpha = named(fit$unidim[lvs, "C.alpha"], lvs))
}

out <- list(
  source = list(seminr = as.character(packageVersion("seminr")),
                plspm = as.character(packageVersion("plspm")), r = R.version.string),
  satisfaction = list(
    constructs = blocks, paths = paths, scale = c(0, 10),
    seminr_path_a = path_a, seminr_factorial_a = sat_factorial, seminr_path_b = path_b,
    seminr_path_mixed = c(path_mixed, list(modes = mixed_modes)),
    seminr_bootstrap = list(nboot = 500, seed = 1, paths = boot_paths),
    plspm_centroid_a = plspm_fit("centroid", "A", TRUE),
    plspm_factorial_a = plspm_fit("factorial", "A", TRUE),
    plspm_path_a = plspm_fit("path", "A", TRUE),
    plspm_centroid_b = plspm_fit("centroid", "B", TRUE),
    plspm_centroid_a_unscaled = plspm_fit("centroid", "A", FALSE)
  )
)

# seminr's own example (README, ?estimate_pls): the ECSI model of the mobi data with
# Complaints, Quality formative (mode B) in the plspm-python seminr regression test.
mobi_blocks <- list(Image = paste0("IMAG", 1:5), Expectation = paste0("CUEX", 1:3),
                    Quality = paste0("PERQ", 1:7), Value = paste0("PERV", 1:2),
                    Satisfaction = paste0("CUSA", 1:3), Complaints = "CUSCO",
                    Loyalty = paste0("CUSL", 1:3))
mobi_paths <- list(c("Image", "Expectation"), c("Image", "Satisfaction"), c("Image", "Loyalty"),
                   c("Expectation", "Quality"), c("Expectation", "Value"),
                   c("Expectation", "Satisfaction"), c("Quality", "Value"),
                   c("Quality", "Satisfaction"), c("Value", "Satisfaction"),
                   c("Satisfaction", "Complaints"), c("Satisfaction", "Loyalty"),
                   c("Complaints", "Loyalty"))
mobi_modes <- setNames(as.list(rep("A", 7)), names(mobi_blocks)); mobi_modes$Quality <- "B"
mobi_fit <- seminr_fit(mobi, mobi_blocks, mobi_paths, mobi_modes)
ms <- summary(mobi_fit)
ml <- names(mobi_blocks)
out$mobi <- c(list(constructs = mobi_blocks, structure = mobi_paths, modes = mobi_modes),
              seminr_core(mobi_fit, mobi_blocks, mobi_paths),
              list(rho_a = named(ms$reliability[ml, "rhoA"], ml),
                   rho_c = named(ms$reliability[ml, "rhoC"], ml),
                   alpha = named(ms$reliability[ml, "alpha"], ml),
                   ave = named(ms$reliability[ml, "AVE"], ml)))
write_json(out, "tests/reference/pls.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
