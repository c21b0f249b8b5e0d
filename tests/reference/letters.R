# Reference values for analysis.comparisons.compact_letters (run from the repository root:
# Rscript tests/reference/letters.R). Writes tests/reference/letters.json: for each case, the
# levels in display order, the adjusted p of every pair and multcompView::multcompLetters' letters
# (Piepho's insert-and-absorb algorithm) at threshold .05. Debian: r-cran-multcompview.
library(jsonlite)
library(multcompView)
set.seed(20261130)
make_case <- function(levels, p) {
  pairs <- combn(levels, 2)
  names(p) <- paste(pairs[1, ], pairs[2, ], sep = "-")
  list(levels = levels, pairs = lapply(seq_along(p), function(i)
         list(a = pairs[1, i], b = pairs[2, i], p_adj = unname(p[i]))),
       letters = as.list(multcompLetters(p, threshold = 0.05)$Letters))
}
cases <- list(
  make_case(c("A", "B", "C", "D"), c(0.5, 0.01, 0.001, 0.2, 0.01, 0.3)),
  make_case(c("A", "B", "C", "D"), c(0.01, 0.01, 0.01, 0.6, 0.01, 0.01)),
  make_case(c("A", "B", "C"), c(0.2, 0.3, 0.9)),
  make_case(c("保定", "唐山", "石家庄", "邯郸", "廊坊"),
            c(0.2, 0.01, 0.01, 0.01, 0.3, 0.3, 0.01, 0.5, 0.3, 0.4))
)
# random patterns: levels ordered, nearby levels less often different (as with ordered means)
for (k in c(5, 6, 7, 8, 8, 9)) {
  levels <- paste0("L", seq_len(k))
  pairs <- combn(seq_len(k), 2)
  distance <- pairs[2, ] - pairs[1, ]
  p <- ifelse(runif(ncol(pairs)) < distance / k, runif(ncol(pairs), 0, 0.049), runif(ncol(pairs), 0.051, 1))
  cases[[length(cases) + 1]] <- make_case(levels, p)
}
write_json(cases, "tests/reference/letters.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
