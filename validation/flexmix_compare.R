# Poisson trajectory mixture in R's flexmix on the data written by flexmix_compare.py.
# Usage: Rscript flexmix_compare.R DATA.csv POSTERIOR.csv K NREP OUT.json
# minprior = 0: flexmix otherwise drops groups below 5% silently.
suppressPackageStartupMessages(library(flexmix))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
post <- as.matrix(read.csv(args[2]))
k <- as.integer(args[3])
nrep <- as.integer(args[4])
ctrl <- list(minprior = 0, tolerance = 1e-12, iter.max = 10000)
f <- count ~ x1 + x2 + x3 | person
# started alike: from our posterior probabilities, rows in the order of the persons
person_rows <- post[match(d$person, sort(unique(d$person))), , drop = FALSE]
alike <- flexmix(f, data = d, k = k, cluster = person_rows,
                 model = FLXMRglm(family = "poisson"), control = ctrl)
set.seed(20240201)
# random restarts, as stepFlexmix does, keeping every restart's log-likelihood
all_ll <- sapply(seq_len(nrep), function(i) {
  m <- flexmix(f, data = d, k = k, model = FLXMRglm(family = "poisson"),
               control = list(minprior = 0, tolerance = 1e-8, iter.max = 2000))
  as.numeric(logLik(m))
})
best <- max(all_ll)
out <- sprintf(
  '{"alike_loglik": %.10f, "alike_shares": [%s], "alike_k": %d, "restarts": %d, "restarts_best_loglik": %.10f, "restarts_distinct_optima": %d, "flexmix_version": "%s"}',
  as.numeric(logLik(alike)), paste(sprintf("%.10f", sort(prior(alike))), collapse = ", "),
  length(prior(alike)), nrep, best,
  length(unique(round(all_ll, 3))), as.character(packageVersion("flexmix")))
writeLines(out, args[5])
