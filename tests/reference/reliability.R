# Reference values for analysis/reliability.py, computed with psych 2.2.9 (R 4.2).
# Run from the project root:  Rscript tests/reference/reliability.R
# Writes tests/reference/reliability.json (full precision). The fixtures come from
# tests/reference/reliability_fixtures.py (fixed seeds) and pingouin's cronbach_wide_missing.
#
# Reverse coding: scale A's item a4 is stored raw. Cases "*_reversed" reverse it BEFORE psych
# (a4 <- 6 - a4 on the 1-5 scale); case "generated_A_keys" instead passes keys = "a4" to
# psych::alpha as numeric signs (psych 2.2.9 fails on character keys; it flips with the data's min + max = 1 + 5, so means agree too).
# Respondents who answered no item of a scale are removed before psych (psych would count them in
# nrow(x), the n of its Feldt and asymptotic CIs; the Python side defines n without them).
suppressPackageStartupMessages({library(psych); library(jsonlite)})
stopifnot(packageVersion("psych") == "2.2.9")

fixtures <- "tests/fixtures"
read <- function(name) read.csv(file.path(fixtures, name))
answered <- function(x) x[rowSums(!is.na(x)) > 0, , drop = FALSE]

describe_scale <- function(x, use = "pairwise", keys = NULL) {
  signs <- if (is.null(keys)) NULL else ifelse(colnames(x) %in% keys, -1, 1)
  a <- suppressWarnings(psych::alpha(x, keys = signs, use = use, warnings = FALSE))
  r <- cov2cor(cov(x, use = use))           # the matrix psych's std alpha / G6 come from
  if (!is.null(keys)) r <- `dimnames<-`(diag(signs) %*% r %*% diag(signs), dimnames(r))
  s <- suppressWarnings(splitHalf(r, check.keys = FALSE, raw = TRUE))
  half <- ncol(r) %/% 2
  A <- seq_len(ncol(r)) <= half
  rab <- sum(r[A, !A]) / sqrt(sum(r[A, A]) * sum(r[!A, !A]))
  list(
    n = nrow(x), k = ncol(x),
    alpha = a$total$raw_alpha, std_alpha = a$total$std.alpha, lambda6 = a$total[["G6(smc)"]],
    ase = a$total$ase,
    feldt = unname(c(a$feldt$lower.ci, a$feldt$upper.ci)),
    asymptotic = c(a$total$raw_alpha - qnorm(0.975) * a$total$ase,
                   a$total$raw_alpha + qnorm(0.975) * a$total$ase),
    items = list(
      name = colnames(x),
      n = unname(a$item.stats$n), mean = unname(a$item.stats$mean), sd = unname(a$item.stats$sd),
      citc = unname(a$item.stats$r.drop), alpha_if_deleted = unname(a$alpha.drop$raw_alpha)
    ),
    split = list(
      spearman_brown = 2 * rab / (1 + rab), first_second = s$raw[1],
      max = s$maxrb, min = s$minrb, mean = s$meanr, lambda6 = s$lambda6, raw = s$raw
    )
  )
}

pingouin <- read("cronbach_wide_missing.csv")
gen <- read("reliability_generated.csv")
gen_missing <- read("reliability_generated_missing.csv")
scale_a <- paste0("a", 1:6)
scale_b <- paste0("b", 1:5)
reverse_a4 <- function(x) { x$a4 <- 6 - x$a4; x }

cases <- list(
  pingouin_pairwise = describe_scale(pingouin),
  pingouin_listwise = describe_scale(na.omit(pingouin)),
  generated_A_reversed = describe_scale(reverse_a4(gen[scale_a])),
  generated_A_keys = describe_scale(gen[scale_a], keys = "a4"),
  generated_A_missing_reversed = describe_scale(answered(reverse_a4(gen_missing[scale_a]))),
  generated_A_missing_listwise = describe_scale(na.omit(reverse_a4(gen_missing[scale_a]))),
  generated_B_missing = describe_scale(answered(gen_missing[scale_b])),
  generated_B_missing_listwise = describe_scale(na.omit(gen_missing[scale_b])),
  generated_AB7_reversed = describe_scale(reverse_a4(gen[c(scale_a, "b1")]))
)
# The sample study (data/sample, frozen in tests/fixtures/reliability_sample.csv, items already
# reverse-coded by the pipeline): every group x dimension, no missing answers there.
sample <- read("reliability_sample.csv")
sample_dimensions <- fromJSON(file.path(fixtures, "reliability_sample_dimensions.json"))
for (group in unique(sample$group)) {
  for (dimension in names(sample_dimensions)) {
    x <- sample[sample$group == group, sample_dimensions[[dimension]]]
    cases[[paste("sample", group, dimension, sep = "_")]] <- describe_scale(answered(x))
  }
}
write_json(cases, "tests/reference/reliability.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
