# Reference values for CR2 cluster-robust SEs with Satterthwaite degrees of
# freedom (Bell & McCaffrey 2002; Pustejovsky & Tipton 2018), from R's
# clubSandwich, for the Python test suite (which reads reference.csv and
# never needs R).
#
# Generated with: R 4.2.2 Patched (2022-11-10 r83330), clubSandwich 0.5.8,
# sandwich 3.0.2 (Debian packages r-base-core, r-cran-clubsandwich,
# r-cran-sandwich).
#
# Re-run, from this folder (tests/reference/cr2/):
#
#     python make_fixtures.py && python export_sample.py && Rscript reference.R
#
# (with the project's .venv python for export_sample.py, which reads the
# shipped sample through opgang_eval).
#
# Inputs: fixtures.csv (written by make_fixtures.py) and sample_fixtures.csv
# (export_sample.py: the analysis rows of each effect of data/sample).
# Outputs: reference.csv and sample_reference.csv, one row per case:
#
#   case, term        term is "treat" (difference cases: all post == 1) or
#                     "treat:post" (DiD cases)
#   estimate          OLS / WLS coefficient of term
#   se_cr2            coef_test(fit, vcov = "CR2", cluster = family,
#   df_satterthwaite    test = "Satterthwaite"): SE, df_Satt, p_Satt
#   p_satterthwaite
#   se_cr1s           sqrt(diag(vcovCR(fit, cluster = family, type = "CR1S"))),
#                     Stata's factor G/(G-1) * (N-1)/(N-p)
#   p_cr1s_naive      two-sided p of estimate / se_cr1s from t with G - 1 df
#                     (clubSandwich's "naive-t"; Stata's convention)
#
# Models: y ~ treat + factor(stratum) (difference cases) or
# y ~ treat * post + factor(stratum) (DiD cases); no stratum term where the
# case has no strata (stratum NA). Weights (weights = weight) are passed only
# where they are not all 1 (did_weighted, did_row_weights). For a weighted lm clubSandwich's
# defaults are inverse_var = FALSE and target = identity (working model:
# homoskedastic, weights are not inverse variances); weights are rescaled to
# mean 1 internally, which does not change the results.
#
# Numbers are written with 17 significant digits (sprintf("%.17g")).

suppressPackageStartupMessages({
  library(clubSandwich)
})

fmt <- function(x) sprintf("%.17g", x)

reference <- function(input, output) {
fx <- read.csv(input, stringsAsFactors = FALSE)
rows <- list()
for (cs in unique(fx$case)) {
  d <- fx[fx$case == cs, ]
  is_did <- any(d$post == 0)
  has_strata <- !all(is.na(d$stratum))
  rhs <- if (is_did) "treat * post" else "treat"
  if (has_strata) rhs <- paste(rhs, "+ factor(stratum)")
  f <- as.formula(paste("y ~", rhs))
  term <- if (is_did) "treat:post" else "treat"

  if (all(d$weight == 1)) {
    fit <- lm(f, data = d)
  } else {
    fit <- lm(f, data = d, weights = weight)
  }

  ct <- coef_test(fit, vcov = "CR2", cluster = d$family, test = "Satterthwaite")
  v1 <- vcovCR(fit, cluster = d$family, type = "CR1S")
  ct1 <- coef_test(fit, vcov = v1, test = "naive-t")

  rows[[cs]] <- data.frame(
    case = cs,
    term = term,
    estimate = fmt(coef(fit)[[term]]),
    se_cr2 = fmt(ct[term, "SE"]),
    df_satterthwaite = fmt(ct[term, "df_Satt"]),
    p_satterthwaite = fmt(ct[term, "p_Satt"]),
    se_cr1s = fmt(sqrt(diag(v1))[[term]]),
    p_cr1s_naive = fmt(ct1[term, "p_t"]),
    stringsAsFactors = FALSE
  )
}

out <- do.call(rbind, rows)
write.csv(out, output, row.names = FALSE, quote = FALSE)
print(out, right = FALSE)
}

reference("fixtures.csv", "reference.csv")
# The analysis rows of the shipped sample's effects (export_sample.py): the package's own panel is tested on them.
reference("sample_fixtures.csv", "sample_reference.csv")
