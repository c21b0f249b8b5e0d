# Reference values for analysis/factor.py, computed with psych 2.2.9 and GPArotation (R 4.2).
# Run from the project root:  Rscript tests/reference/factor.R
# Writes tests/fixtures/bfi10.csv (psych's bfi, items A1-A5 and C1-C5, complete cases) and
# tests/reference/factor.json (full precision).
#
# Data: factor_generated.csv (600 respondents, 12 items, 3 correlated factors, ~5% missing; made
# by tests/reference/reliability_fixtures.py), bfi10.csv, and the sample study's items per group
# (reliability_sample.csv). psych uses cor(x, use = "pairwise")
# and n = nrow(x) for KMO, cortest.bartlett and fa.
#
# EFA, two references per model:
#  - "default": fa(fm = "minres") as psych runs it (optim L-BFGS-B with its default stopping rule,
#    GPArotation with eps = 1e-5). Not fully converged; the Python side matches it to ~1e-5.
#  - "converged": the same least-squares (ULS/minres) solution iterated to convergence, obtained in
#    psych itself through principal axes (fm = "pa", whose fixed point is the minres solution) with
#    min.err = 1e-13, and the rotation run with eps = 1e-9. The Python side matches it to 1e-6.
suppressPackageStartupMessages({library(psych); library(GPArotation); library(jsonlite)})
stopifnot(packageVersion("psych") == "2.2.9")

data(bfi, package = "psych")
bfi10 <- na.omit(bfi[, c(paste0("A", 1:5), paste0("C", 1:5))])
write.csv(bfi10, "tests/fixtures/bfi10.csv", row.names = FALSE)
generated <- read.csv("tests/fixtures/factor_generated.csv")

loadings_of <- function(f) {
  l <- unclass(f$loadings)
  list(items = rownames(l), matrix = unname(l), phi = if (is.null(f$Phi)) NULL else unname(f$Phi),
       uniquenesses = unname(f$uniquenesses))
}

efa <- function(x, nf, rotate) {
  default <- fa(x, nf, fm = "minres", rotate = rotate)
  converged <- suppressWarnings(
    fa(x, nf, fm = "pa", rotate = rotate, min.err = 1e-13, max.iter = 100000, eps = 1e-9, maxit = 100000)
  )
  list(default = loadings_of(default), converged = loadings_of(converged))
}

describe <- function(x, nf) {
  k <- KMO(x)
  b <- suppressMessages(cortest.bartlett(x))
  set.seed(20261124)
  p <- fa.parallel(x, fa = "pc", n.iter = 20, plot = FALSE)
  list(
    n = nrow(x),
    kmo = k$MSA, kmo_items = unname(k$MSAi), items = colnames(x),
    bartlett = list(chi2 = b$chisq, df = b$df, p = b$p.value),
    pc_eigenvalues = p$pc.values, parallel_ncomp = p$ncomp,
    efa = list(
      oblimin = efa(x, nf, "oblimin"),
      varimax = efa(x, nf, "varimax"),
      one = efa(x, 1, "none")
    )
  )
}

sample <- read.csv("tests/fixtures/reliability_sample.csv")
customers <- sample[sample$group == "customers", -1]
employees <- sample[sample$group == "employees", -1]
# customers: parallel analysis is borderline (5th eigenvalue 1.201 against a simulated 95th
# percentile near 1.20: psych's ncomp is 4 or 5 depending on the seed); the EFA uses the study's
# five dimensions. employees: 2 factors (psych's ncomp).
out <- list(generated = describe(generated, 3), bfi10 = describe(bfi10, 2),
            sample_customers = describe(customers, 5), sample_employees = describe(employees, 2))
write_json(out, "tests/reference/factor.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
