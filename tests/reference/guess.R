# Reference values for surveys/guess.py's reverse-item suggestion (psych 2.x, R 4.2).
# Run from the project root:  Rscript tests/reference/guess.R
# Reads tests/fixtures/guess_identify.csv: the four 客户识别 items of the sample's 问卷星 export
# (data/sample/customers_2019.xlsx, wave 2019, answers coded 1-5 by surveys.coding, ID4 the
# reverse-worded "D公司经常重复询问我已提供过的信息"), and writes tests/reference/guess.json:
# the corrected item-total correlations (psych::alpha's r.drop, keys not checked) and the loadings
# on the first principal component (psych::principal, one component, no rotation).
suppressPackageStartupMessages({library(psych); library(jsonlite)})
x <- read.csv("tests/fixtures/guess_identify.csv")
a <- psych::alpha(x, check.keys = FALSE, warnings = FALSE)
pc <- psych::principal(x, nfactors = 1, rotate = "none")
loadings <- as.numeric(pc$loadings[, 1])
if (sum(loadings > 0) < sum(loadings < 0)) loadings <- -loadings  # most items load positively
out <- list(items = names(x), r_drop = as.numeric(a$item.stats$r.drop), pc1 = loadings)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), "tests/reference/guess.json")
