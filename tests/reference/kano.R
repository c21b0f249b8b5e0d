# Reference values for analysis/kano.py (Rscript tests/reference/kano.R from the repo root).
# Writes tests/fixtures/kano.csv (3 features, 30 respondents, some answers missing) and
# tests/reference/kano.json: category counts per feature from the Kano evaluation table as
# published in Berger et al. (1993), Center for Quality Management Journal 2(4), 3-36, table 1
# (reproduced in Matzler & Hinterhuber 1998, Technovation 18(1), 25-38, table 2), and
# Better = (A + O) / (A + O + M + I), Worse = -(O + M) / (A + O + M + I).
# Answer codes: 1 like, 2 must-be, 3 neutral, 4 live with, 5 dislike.
library(jsonlite)
#                 dysfunctional: like  must-be neutral live-with dislike
table_kano <- rbind(c("Q", "A", "A", "A", "O"),   # functional: like
                    c("R", "I", "I", "I", "M"),   # must-be
                    c("R", "I", "I", "I", "M"),   # neutral
                    c("R", "I", "I", "I", "M"),   # live with
                    c("R", "R", "R", "R", "Q"))   # dislike
set.seed(7)
n <- 30
d <- data.frame(id = seq_len(n),
  f1_fun = sample(1:5, n, TRUE, c(.5, .2, .15, .1, .05)), f1_dys = sample(1:5, n, TRUE, c(.05, .1, .2, .25, .4)),
  f2_fun = sample(1:5, n, TRUE, c(.2, .3, .3, .15, .05)), f2_dys = sample(1:5, n, TRUE, c(.05, .1, .2, .2, .45)),
  f3_fun = sample(1:5, n, TRUE, c(.6, .2, .1, .05, .05)), f3_dys = sample(1:5, n, TRUE, c(.1, .3, .4, .15, .05)))
d$f1_fun[c(3, 17)] <- NA; d$f2_dys[c(5)] <- NA; d$f3_fun[c(5, 29)] <- NA
write.csv(d, "tests/fixtures/kano.csv", row.names = FALSE, na = "")
cats <- c("A", "O", "M", "I", "R", "Q")
out <- list()
for (f in c("f1", "f2", "f3")) {
  fun <- d[[paste0(f, "_fun")]]; dys <- d[[paste0(f, "_dys")]]
  ok <- !is.na(fun) & !is.na(dys)
  cls <- table_kano[cbind(fun[ok], dys[ok])]
  cnt <- setNames(as.integer(table(factor(cls, levels = cats))), cats)
  base <- sum(cnt[c("A", "O", "M", "I")])
  out[[f]] <- list(n = sum(ok), counts = as.list(cnt), category = cls,
                   better = unname((cnt["A"] + cnt["O"]) / base),
                   worse = unname(-(cnt["O"] + cnt["M"]) / base))
}
write_json(out, "tests/reference/kano.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
