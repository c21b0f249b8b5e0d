# Reference values for analysis/cfa.py, computed with lavaan 0.6.14 and semTools 0.5.6 (R 4.2).
# Run from the project root:  Rscript tests/reference/cfa.R
# Writes the fixtures tests/fixtures/cfa_hs1939.csv (lavaan's HolzingerSwineford1939, x1-x9),
# tests/fixtures/cfa_generated.csv (300 respondents, 5 dimensions of 3-5 Likert items, seed below),
# tests/fixtures/cfa_generated_missing.csv (the same with ~4% of answers deleted at random), and the
# values tests/reference/cfa.json (full precision). It also reads tests/fixtures/cfa_unconverged.csv
# (206 answers to 19 items whose dimension d1 has almost no common variance; generated with numpy,
# seed 7, by the stress test of analysis/cfa.py) and records that lavaan does not converge on it.
# The hard_start block at the end reads tests/fixtures/cfa_hard_start.csv (see there).
suppressPackageStartupMessages({library(lavaan); library(semTools); library(jsonlite)})
stopifnot(packageVersion("lavaan") == "0.6.14", packageVersion("semTools") == "0.5.6")

hs <- HolzingerSwineford1939[, paste0("x", 1:9)]
write.csv(hs, "tests/fixtures/cfa_hs1939.csv", row.names = FALSE)

# Generated CRM-like questionnaire: 5 correlated dimensions, items cut to a 1-5 scale.
set.seed(20261124)
sizes <- c(identify = 3, differentiate = 4, interact = 5, customize = 4, system = 3)
n <- 300
phi <- matrix(0.45, 5, 5); diag(phi) <- 1; phi[1, 2] <- phi[2, 1] <- 0.6; phi[4, 5] <- phi[5, 4] <- 0.3
eta <- matrix(rnorm(n * 5), n, 5) %*% chol(phi)
gen <- list(); gen_model <- list()
for (f in seq_along(sizes)) {
  items <- paste0(substr(names(sizes)[f], 1, 3), seq_len(sizes[f]))
  gen_model[[names(sizes)[f]]] <- items
  for (item in items) {
    loading <- runif(1, 0.5, 0.85)
    latent <- loading * eta[, f] + sqrt(1 - loading^2) * rnorm(n)
    gen[[item]] <- as.numeric(cut(latent, c(-Inf, -1.3, -0.45, 0.35, 1.15, Inf)))
  }
}
gen <- as.data.frame(gen)
write.csv(gen, "tests/fixtures/cfa_generated.csv", row.names = FALSE)
gen_missing <- gen
gen_missing[matrix(runif(n * ncol(gen)) < 0.04, n)] <- NA
write.csv(gen_missing, "tests/fixtures/cfa_generated_missing.csv", row.names = FALSE, na = "")

syntax <- function(model) {
  paste(sprintf("%s =~ %s", names(model), sapply(model, paste, collapse = " + ")), collapse = "\n")
}

tight <- list(reltol = 1e-14, maxit = 10000)

measures <- c("chisq", "df", "pvalue", "baseline.chisq", "baseline.df", "cfi", "tli", "rmsea",
              "rmsea.ci.lower", "rmsea.ci.upper", "srmr")

construct <- function(std, model) {
  # CR and AVE on the standardized loadings (std.all), as analysis/cfa.py reports them, plus
  # semTools' own compRelSEM/AVE (model-implied / observed variances) for comparison.
  sapply(names(model), function(f) {
    l <- std$est.std[std$op == "=~" & std$lhs == f]
    theta <- 1 - l^2
    list(cr = sum(l)^2 / (sum(l)^2 + sum(theta)), ave = mean(l^2))
  }, simplify = FALSE)
}

htmt_pairs <- function(model, data, htmt2) {
  h <- htmt(syntax(model), data = data, missing = "listwise", htmt2 = htmt2)
  out <- list()
  for (pair in combn(names(model), 2, simplify = FALSE)) {
    out[[paste(pair, collapse = "|")]] <- h[pair[2], pair[1]]
  }
  out
}

reference <- function(model, data) {
  # lavaan defaults (marker variable, listwise deletion), the optimiser run to convergence: with
  # its default (nlminb, rel.tol = 1e-10) lavaan stops up to 4e-6 away from the optimum in the
  # loadings, and nlminb with a smaller rel.tol reports false convergence; BFGS gets there.
  fit <- cfa(syntax(model), data = data, optim.method = "BFGS", control = tight)
  std <- standardizedSolution(fit)
  fit_mean <- cfa(syntax(model), data = data, meanstructure = TRUE, optim.method = "BFGS",
                  control = tight)
  std_default <- standardizedSolution(cfa(syntax(model), data = data))
  complete <- data[complete.cases(data[, unlist(model)]), unlist(model)]
  fit_cov <- cfa(syntax(model), sample.cov = cov(complete), sample.nobs = nrow(complete),
                 optim.method = "BFGS", control = tight)
  loadings <- std[std$op == "=~", ]
  residuals <- std[std$op == "~~" & std$lhs == std$rhs & std$lhs %in% unlist(model), ]
  correlations <- list()
  for (pair in combn(names(model), 2, simplify = FALSE)) {
    correlations[[paste(pair, collapse = "|")]] <-
      std$est.std[std$op == "~~" & std$lhs == pair[1] & std$rhs == pair[2]]
  }
  list(
    n = lavInspect(fit, "nobs"),
    converged = lavInspect(fit, "converged"),
    fit = as.list(fitMeasures(fit, measures)),
    srmr_meanstructure = unname(fitMeasures(fit_mean, "srmr")),
    fit_from_cov = as.list(fitMeasures(fit_cov, measures)),
    loadings = setNames(as.list(loadings$est.std), loadings$rhs),
    loadings_lavaan_default = setNames(as.list(std_default$est.std[std_default$op == "=~"]),
                                       loadings$rhs),
    residual_variances = setNames(as.list(residuals$est.std), residuals$lhs),
    factor_correlations = correlations,
    constructs = construct(std, model),
    semtools_comp_rel_sem = as.list(compRelSEM(fit)),
    semtools_ave = as.list(AVE(fit)),
    htmt = htmt_pairs(model, data, htmt2 = FALSE),
    htmt2 = htmt_pairs(model, data, htmt2 = TRUE)
  )
}

omega_from_cov <- function(s, n) {
  # one-factor ML CFA on a covariance matrix; omega = (sum l)^2 / ((sum l)^2 + sum theta), std.all
  colnames(s) <- rownames(s) <- paste0("v", seq_len(ncol(s)))
  fit <- cfa(paste("f =~", paste(colnames(s), collapse = " + ")), sample.cov = s, sample.nobs = n,
             optim.method = "BFGS", control = tight)
  std <- standardizedSolution(fit)
  l <- std$est.std[std$op == "=~"]
  theta <- std$est.std[std$op == "~~" & std$lhs == std$rhs & std$lhs != "f"]
  list(omega = sum(l)^2 / (sum(l)^2 + sum(theta)), loadings = l, residual_variances = theta,
       converged = lavInspect(fit, "converged"), cov = unname(s))
}

hs_model <- list(visual = c("x1", "x2", "x3"), textual = c("x4", "x5", "x6"),
                 speed = c("x7", "x8", "x9"))
omega <- list()
for (f in names(hs_model)) {
  omega[[paste0("hs1939_", f)]] <- omega_from_cov(cov(hs[, hs_model[[f]]]), nrow(hs))
}
omega[["hs1939_all9"]] <- omega_from_cov(cov(hs), nrow(hs))
for (f in names(gen_model)) {
  omega[[paste0("generated_", f)]] <- omega_from_cov(cov(gen[, gen_model[[f]]]), n)
  pairwise <- cov(gen_missing[, gen_model[[f]]], use = "pairwise")
  omega[[paste0("missing_pairwise_", f)]] <- omega_from_cov(pairwise, n)
}
# A Heywood case: r12 = r13 = .8, r23 = .5 makes the first loading 1.13 (negative residual variance).
heywood <- matrix(c(1, .8, .8, .8, 1, .5, .8, .5, 1), 3)
omega[["heywood"]] <- omega_from_cov(heywood, 200)
# An undeclared reverse item: the third item correlates negatively with the others.
reversed <- matrix(c(1, .5, -.4, .5, 1, -.45, -.4, -.45, 1), 3)
omega[["reversed_item"]] <- omega_from_cov(reversed, 150)

unconverged_model <- list(d0 = paste0("d0_", 0:2), d1 = paste0("d1_", 0:3), d2 = paste0("d2_", 0:4),
                          d3 = paste0("d3_", 0:2), d4 = paste0("d4_", 0:3))
unconverged_fit <- suppressWarnings(cfa(syntax(unconverged_model),
                                        data = read.csv("tests/fixtures/cfa_unconverged.csv")))

out <- list(
  versions = list(R = paste(R.version$major, R.version$minor, sep = "."),
                  lavaan = as.character(packageVersion("lavaan")),
                  semTools = as.character(packageVersion("semTools"))),
  models = list(hs1939 = hs_model, generated = gen_model),
  hs1939 = reference(hs_model, hs),
  generated = reference(gen_model, gen),
  generated_missing = reference(gen_model, gen_missing),
  omega = omega,
  unconverged = list(model = unconverged_model, converged = lavInspect(unconverged_fit, "converged"))
)

# ---- hard_start: a case for analysis/cfa.py's several start values ---------------------------------
# Added later (lavaan 0.6.14, semTools 0.5.6, R 4.2.2); nothing above depends on it. Reads
# tests/fixtures/cfa_hard_start.csv (335 answers to 21 Likert items in 5 dimensions; the 5 "svc" items
# share almost no variance and load with mixed signs; made with numpy, seed 908, by
# tests/reference/cfa_hard_start.py). From uniform start loadings analysis/cfa.py did not converge on
# it, neither the 5-factor model nor the one-factor model of "svc" (omega_total). lavaan converges to a
# proper solution on both: with its defaults (nlminb; recorded under lavaan_default, with the smallest
# standardized residual variance and the smallest eigenvalue of the latent covariance matrix) and with
# BFGS run to convergence (the reference values, as for the other data sets).
hard_model <- list(ide = paste0("ide", 1:3), dif = paste0("dif", 1:4), int = paste0("int", 1:5),
                   cus = paste0("cus", 1:4), svc = paste0("svc", 1:5))
hard <- read.csv("tests/fixtures/cfa_hard_start.csv")
properness <- function(fit, items) {
  std <- standardizedSolution(fit)
  list(converged = lavInspect(fit, "converged"), chisq = unname(fitMeasures(fit, "chisq")),
       min_residual_variance = min(std$est.std[std$op == "~~" & std$lhs == std$rhs & std$lhs %in% items]),
       min_lv_eigenvalue = min(eigen(lavInspect(fit, "cov.lv"), only.values = TRUE)$values))
}
hard_svc_cov <- cov(hard[, hard_model$svc])
colnames(hard_svc_cov) <- rownames(hard_svc_cov) <- paste0("v", 1:5)
hard_svc_syntax <- paste("f =~", paste0("v", 1:5, collapse = " + "))
# omega of "svc" as omega_from_cov, but identified by std.lv = TRUE: with v1 (standardized loading .17)
# as the marker, BFGS stops 1e-6 short of the optimum in the standardized loadings (F 3e-13 above it);
# ML estimates do not depend on the identification. Loadings reflected so that the first is positive,
# as a marker loading makes it.
hard_svc_fit <- cfa(hard_svc_syntax, sample.cov = hard_svc_cov, sample.nobs = nrow(hard), std.lv = TRUE,
                    optim.method = "BFGS", control = tight)
hard_svc_std <- standardizedSolution(hard_svc_fit)
hard_svc_l <- hard_svc_std$est.std[hard_svc_std$op == "=~"]
hard_svc_l <- hard_svc_l * sign(hard_svc_l[1])
hard_svc_theta <- hard_svc_std$est.std[hard_svc_std$op == "~~" & hard_svc_std$lhs == hard_svc_std$rhs &
                                         hard_svc_std$lhs != "f"]
out$hard_start <- c(
  list(model = hard_model,
       lavaan_default = properness(cfa(syntax(hard_model), data = hard), unlist(hard_model)),
       omega_svc_lavaan_default = properness(cfa(hard_svc_syntax, sample.cov = hard_svc_cov,
                                                 sample.nobs = nrow(hard)), paste0("v", 1:5)),
       omega_svc = list(omega = sum(hard_svc_l)^2 / (sum(hard_svc_l)^2 + sum(hard_svc_theta)),
                        loadings = hard_svc_l, residual_variances = hard_svc_theta,
                        converged = lavInspect(hard_svc_fit, "converged"),
                        chisq = unname(fitMeasures(hard_svc_fit, "chisq")), cov = unname(hard_svc_cov))),
  reference(hard_model, hard)
)

write_json(out, "tests/reference/cfa.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
