"""Every word the report prints, in Danish: one catalogue, keyed (the same keys as the other language).

A key with a prefix names a thing: ``measure:<id>`` and ``definition:<id>`` (a measure of the registry, with
``{end}``, ``{youth_low}`` and ``{youth_high}``), ``status:<code>``, ``covariate:<name>``, ``step:<step>``, ...
``{placeholders}`` are filled in by the section that prints the text.
"""

WORDS: dict[str, str] = {
    "account:benefit_cost_ratio": "Gevinst pr. investeret krone",
    "account:break_even_years": "Break-even (år efter start)",
    "account:ci": "95 %-konfidensinterval",
    "account:discount_rate": "Diskonteringsrente pr. år",
    "account:gross": "Besparelse pr. familie (brutto)",
    "account:mean_window_months": "Gennemsnitlig opfølgning (måneder)",
    "account:net_per_family": "Nettoresultat pr. familie",
    "account:net_total": "Nettoresultat i alt",
    "account:price_year": "Prisniveau",
    "account:programme_per_family": "Programudgift pr. familie",
    "account:programme_total": "Programudgift i alt",
    "after": "Efter",
    "appendix": "Bilag: konfiguration og datagrundlag",
    "balance": "Balance før og efter matchning",
    "balance_all_treated": (
        "Færre end 5 indsatsfamilier ({marker}) er udeladt; af hensyn til diskretionen viser efter-kolonnerne alle "
        "indsatsfamilier mod den matchede sammenligningsgruppe."
    ),
    "balance_note": (
        "SMD: forskel i gennemsnit delt med den samlede standardafvigelse i de umatchede grupper (√((s²₁ + s²₀)/2)), "
        "så nævneren er den samme før og efter. What Works Clearinghouse: |SMD| ≤ 0,05 god balance, 0,05–0,25 kræver "
        "statistisk justering, over 0,25 ubalance."
    ),
    "balance_weighted": "Balance før og efter vægtning",
    "baseline": "Udgangspunkt",
    "baseline:age": "Alder (år)",
    "baseline:children_per_family": "Børn pr. familie",
    "baseline:female": "Kvinder",
    "baseline:months_on_benefits_36m": "Måneder på ydelse, 36 mdr. før start",
    "baseline:parents_per_family": "Forældre pr. familie",
    "baseline:status": "Status før start: {status}",
    "baseline_intro": (
        "Forældrenes og familiernes situation ved start. SMD er den standardiserede forskel mellem grupperne; "
        "værdier under 0,1 regnes normalt for god balance."
    ),
    "baseline_period": "Før start",
    "basis:expenditure": "udgiftstabellen (nominelle beløb omregnet med forbrugerprisindekset)",
    "basis:unit_costs": "forældrenes månedlige status gange enhedspriser",
    "before": "Før",
    "by_site": "Resultater pr. område",
    "by_site_intro": "Indsatsgruppens resultater i hvert område.",
    "by_site_small": "Områder med færre end {min_cell} familier vises samlet som »Øvrige områder«.",
    "by_site_withheld": (
        "Resultaterne for {sites} er skjult, fordi området afviger med færre end det mindste antal familier fra et "
        "område i en tidligere rapport på de samme data (de kunne ellers trækkes fra hinanden)."
    ),
    "caliper:none": "uden caliper",
    "caliper:sd": "caliper {caliper} SD",
    "change": "Ændring",
    "ci": "95 %-konfidensinterval",
    "ci_words": "95 %-KI {low} til {high}",
    "common_support": "; fælles støtte efter min–max-reglen",
    "comparison:all_but": "Alle på nær {marker}",
    "comparison:compared": ", sammenlignet med {compared}familier fra puljen. ",
    "comparison:left_out": " (udeladt: {parts})",
    "comparison:left_out_part": "{n} {reason}",
    "comparison:matching": (
        "Matchning: {ratio}:1 nærmeste nabo på propensity score ({distance}), {replace}, {caliper}{exact}{support}."
    ),
    "comparison:pool": (
        "{pool} registerfamilier uden tilbuddet udgør puljen. {used} af {treated} indsatsfamilier indgår"
    ),
    "comparison:weighting": "Vægte: inverse propensity-vægte for effekten på de behandlede (p/(1−p)).",
    "comparison_after": "Pulje, matchet",
    "comparison_after_weighted": "Pulje, vægtet",
    "comparison_all": "Pulje, alle",
    "comparison_group": "Sammenligningsgruppe",
    "config": "Konfiguration",
    "contents": "Indhold",
    "control": "Kontrol",
    "cost_account": "Regnskab",
    "cost_design:before_after": "før-efter-fremskrivning (svagere design: ingen kontrolgruppe)",
    "cost_design:matched": (
        "difference-in-differences mod en matchet sammenligningsgruppe (svagere design end lodtrækning)"
    ),
    "cost_design:randomised": "sammenligning med kontrolgruppen",
    "cost_design:weighted": (
        "difference-in-differences mod en vægtet sammenligningsgruppe (svagere design end lodtrækning)"
    ),
    "cost_limitation:expenditure": (
        "Udgifterne er dem, der er registreret og henført til familierne; udgifter, der ikke kan henføres til en "
        "familie, og skatteindtægter indgår ikke."
    ),
    "cost_limitation:unit_costs": (
        "Enhedspriserne er bruttoydelser til borgeren. De omfatter ikke skat, administration, aktivering eller "
        "kursusudgifter og er derfor et groft mål for de offentlige udgifter."
    ),
    "covariate:baseline_cash_benefit": "På kontanthjælp måneden før",
    "covariate:baseline_other_benefit": "På anden ydelse måneden før",
    "covariate:baseline_work_or_education": "I job/uddannelse måneden før",
    "covariate:benefit_months": "Måneder på ydelse (36 mdr. før)",
    "covariate:children": "Antal børn",
    "covariate:children_0_5": "Børn 0–5 år",
    "covariate:children_13_17": "Børn 13–17 år",
    "covariate:distance": "Propensity score (logit)",
    "covariate:female_share": "Andel kvinder blandt forældre",
    "covariate:parent_age": "Forældres alder",
    "covariate:two_parents": "To forældre",
    "covariate:youngest_child_age": "Yngste barns alder",
    "covariate_site": "Område: {site}",
    "covariate_small_site": "Område med færre end {min_cell} familier",
    "data_quality": "Datakvalitet",
    "data_quality_none": "Valideringen gav ingen advarsler.",
    "definition:early_retirement_share": (
        "Andelen af forældrene med en status i {end}, som i {end} modtager førtidspension."
    ),
    "definition:flexjob_share_of_work_or_education": (
        "Blandt forældrene i beskæftigelse eller uddannelse i {end}: andelen i fleksjob."
    ),
    "definition:parents_in_work_or_education": (
        "Andelen af forældrene med en status i {end}, som i {end} er i ordinært job, fleksjob eller uddannelse. "
        "Forældre uden status i slutmåneden (fx fraflyttede) indgår ikke."
    ),
    "definition:savings_per_family": (
        "Offentlige udgifter pr. familie fra startmåneden til og med {end}. Med kontrolgruppe er besparelsen "
        "gennemsnittet for kontrolfamilierne minus gennemsnittet for indsatsfamilierne; med en matchet eller vægtet "
        "sammenligningsgruppe en difference-in-differences: hver families udgifter minus dens udgiftsniveau i de 12 "
        "måneder før start, fremskrevet, vægtet gennemsnit for sammenligningsfamilierne minus gennemsnittet for de "
        "matchede indsatsfamilier; uden nogen af delene familiens udgiftsniveau i de 12 måneder før start, "
        "fremskrevet, minus de faktiske udgifter."
    ),
    "definition:school_absence_change": (
        "Børn med fraværsoplysninger både i det seneste skoleår afsluttet før familiens start og i det seneste "
        "skoleår afsluttet senest i {end}. Fraværsraten er alle fraværsdage delt med alle skoledage; ændringen er "
        "raten efter delt med raten før minus 1."
    ),
    "definition:youth_job_rate_change": (
        "Unge er børn, der fylder {youth_low}–{youth_high} år i det kalenderår, perioden slutter. Andelen med mindst "
        "én måned med lønindkomst i de 12 måneder før start sammenlignes med andelen i de 12 måneder til og med "
        "{end}; ændringen er andelen efter delt med andelen før minus 1."
    ),
    "design_before_after": (
        "Der er ingen kontrolgruppe. Resultaterne beskriver udviklingen for deltagerne og kan ikke tolkes som "
        "indsatsens effekt."
    ),
    "design_forced": (
        "Udtrækket har en lodtrukket kontrolgruppe, men denne evaluering bruger efter ønske (design = observational) "
        "sammenligningspuljen i stedet, fx for at holde det observationelle design op mod forsøget. Det er et "
        "svagere design end lodtrækning: forskellen er kun indsatsens effekt, hvis grupperne ikke adskiller sig på "
        "andet end det, der er taget højde for."
    ),
    "design_matched": (
        "Der er ingen lodtrækning her. Indsatsfamilierne sammenlignes med registerfamilier, der ikke fik tilbuddet, "
        "udvalgt så de ligner indsatsfamilierne før start (matchning på propensity score). Det er et svagere design "
        "end lodtrækning: forskellen er kun indsatsens effekt, hvis grupperne ikke adskiller sig på andet end det, "
        "der er matchet på."
    ),
    "design_randomised": (
        "Familierne blev fordelt ved lodtrækning (inden for strata) til indsatsen eller en kontrolgruppe, der fik de "
        "almindelige kommunale tilbud. Forskellen mellem grupperne er derfor et estimat af indsatsens effekt."
    ),
    "design_weighted": (
        "Der er ingen lodtrækning her. Indsatsfamilierne sammenlignes med registerfamilier, der ikke fik tilbuddet, "
        "vægtet så de ligner indsatsfamilierne før start (inverse propensity-vægte). Det er et svagere design end "
        "lodtrækning: forskellen er kun indsatsens effekt, hvis grupperne ikke adskiller sig på andet end det, der "
        "er vægtet for."
    ),
    "difference_axis": "Forskel (procentpoint)",
    "dkk_axis": "Kroner pr. familie",
    "domain": "Område",
    "domain:education": "Undervisning",
    "domain:employment": "Beskæftigelse",
    "domain:health": "Sundhed",
    "domain:other": "Andet",
    "domain:social": "Socialområdet",
    "drop:enrolled_after_end": "startet efter slutmåneden",
    "drop:no_comparison_in_exact_cell": "ingen med samme eksakte værdier",
    "drop:no_match_within_caliper": "ingen inden for caliper",
    "drop:outside_common_support": "uden for fælles støtte",
    "effect": "Forskel",
    "effect_observational": "Forskel mod sammenligning",
    "end_period": "Slut",
    "estimate": "Estimat",
    "exact_on": ", eksakt på {names}",
    "figure_absence": "Skolefravær før og efter",
    "figure_domain": "Omkostninger pr. familie efter område",
    "figure_event": (
        "Forskel i andel i beskæftigelse eller uddannelse mellem indsats- og sammenligningsgruppe efter måneder i "
        "forhold til start, målt mod måneden før start"
    ),
    "figure_forest": "Forskel mellem indsats og kontrol",
    "figure_forest_observational": "Forskel mellem indsats og sammenligningsgruppe (difference-in-differences)",
    "figure_love": "Standardiseret forskel (|SMD|) før og efter; stiplede linjer ved 0,05 og 0,25",
    "figure_status": "Forældrenes status før start og ved slut",
    "figure_tornado": "Nettoresultat pr. familie: følsomhed",
    "figure_trajectory": "Andel af forældrene i beskæftigelse eller uddannelse efter måneder siden start",
    "figure_year": "Besparelse pr. familie efter år",
    "figure_youth": "Unge med fritidsjob før og efter",
    "file": "Fil",
    "flow": "Deltagere",
    "flow_intro": "Antal familier og personer i hver gruppe, og hvor mange der indgår i hvert mål.",
    "format": "Format",
    "generated": "Udarbejdet {date} med opgang-eval {version}",
    "group": "Gruppe",
    "group:matched": "matchet",
    "group:weighted": "vægtet",
    "headline": "Hovedresultater",
    "headline:absence_fell": "Børnenes skolefravær er faldet {size} ({before} → {after} af skoledagene).",
    "headline:absence_rose": "Børnenes skolefravær er steget {size} ({before} → {after} af skoledagene).",
    "headline:effect_higher": (
        "Sammenlignet med kontrolgruppen er andelen i beskæftigelse eller uddannelse {size} højere ({ci})."
    ),
    "headline:effect_lower": (
        "Sammenlignet med kontrolgruppen er andelen i beskæftigelse eller uddannelse {size} lavere ({ci})."
    ),
    "headline:flexjob": ", heraf {words} i fleksjob",
    "headline:net": "; med en programudgift på {programme} pr. familie er nettoresultatet {net} pr. familie.",
    "headline:observational_less": (
        "Sammenlignet med en {group} sammenligningsgruppe (svagere design end lodtrækning) er andelen i "
        "beskæftigelse eller uddannelse steget {size} mindre ({ci})."
    ),
    "headline:observational_more": (
        "Sammenlignet med en {group} sammenligningsgruppe (svagere design end lodtrækning) er andelen i "
        "beskæftigelse eller uddannelse steget {size} mere ({ci})."
    ),
    "headline:retired": "{share} er afklaret til førtidspension.",
    "headline:savings": "De offentlige udgifter var {amount} lavere pr. familie ({ci}){net}",
    "headline:savings_higher": "De offentlige udgifter var {amount} højere pr. familie ({ci}){net}",
    "headline:work": "{share} af forældrene er kommet i uddannelse eller beskæftigelse{flexjob} ({end}).",
    "headline:youth_fell": "Andelen af unge med fritidsjob er faldet {size}.",
    "headline:youth_rose": "Andelen af unge med fritidsjob er steget {size}.",
    "hidden_cell": "skjult",
    "input:discount rate": "Diskonteringsrente",
    "input:expenditure": "Udgifter",
    "input:horizon": "Tidshorisont",
    "input:programme cost": "Programudgift",
    "input:unit costs": "Enhedspriser",
    "inputs": "Inddata",
    "inputs_note": (
        "Antal rækker vises for filerne med familier, forældre og børn. De øvrige filer har en række pr. person og "
        "måned, skoleår, svar eller udgift; deres antal rækker kunne deles til et skjult antal og er skjult. SHA-256 "
        "identificerer hver fil."
    ),
    "intervention": "Indsats",
    "intervention_after": "Indsats, matchet",
    "intervention_change": "Indsats: ændring mod før, gns. pr. familie",
    "intervention_cost": "Indsats, gns. pr. familie",
    "item": "Spørgsmål",
    "item:quality_of_life": "Livskvalitet",
    "item:surplus": "Overskud",
    "item:trust": "Tillid til systemet",
    "limitations": "Begrænsninger",
    "limitations:clusters": (
        "Forældre i samme familie påvirker hinanden; intervaller for andele behandler dem som uafhængige og kan "
        "derfor være lidt for smalle. Forskelle mod kontrolgruppen bruger klyngerobuste standardfejl."
    ),
    "limitations:size": (
        "Resultaterne bygger på {n} forældre i indsatsgruppen; konfidensintervallerne er derfor brede, og små "
        "forskelle kan skyldes tilfældigheder."
    ),
    "limitations:size_hidden": (
        "Resultaterne bygger på få forældre i indsatsgruppen (antallet er skjult af hensyn til diskretionen); "
        "konfidensintervallerne er derfor brede, og små forskelle kan skyldes tilfældigheder."
    ),
    "lower": "nedre grænse",
    "measure:early_retirement_share": "Forældre på førtidspension",
    "measure:flexjob_share_of_work_or_education": "Heraf i fleksjob",
    "measure:parents_in_work_or_education": "Forældre i beskæftigelse eller uddannelse",
    "measure:savings_per_family": "Besparelse pr. familie",
    "measure:school_absence_change": "Ændring i børnenes skolefravær",
    "measure:youth_job_rate_change": "Ændring i andelen af unge med fritidsjob",
    "message": "Betydning",
    "method:bootstrap": "percentil-bootstrap over familier ({replicates} gentagelser, seed {seed})",
    "method:effects": (
        "Forskelle mod kontrolgruppen er koefficienter i lineære modeller (andele: lineær sandsynlighedsmodel; "
        "fravær og fritidsjob: difference-in-differences, fravær vægtet med skoledage){fixed_effects}. Standardfejl "
        "er klyngerobuste på familieniveau (CR1, som Statas vce(cluster)), og intervallerne bruger t-fordelingen med "
        "antal familier minus 1 frihedsgrader."
    ),
    "method:fixed_effects": ", med faste effekter for {strata} strata",
    "method:measure": "{measure}: {definition}",
    "method:observational": (
        "Forskelle mod sammenligningsgruppen er difference-in-differences på den matchede eller vægtede stikprøve: "
        "ændringen fra måneden før start til {end} for andelene, fra skoleåret før start til opfølgningsåret for "
        "fravær og fra året før start til det sidste år for fritidsjob, hos indsatsfamilierne minus hos "
        "sammenligningsfamilierne (vægtet mindste kvadraters metode med familiens vægt). Andelen i fleksjob "
        "sammenlignes kun ved slutningen. Standardfejl er klyngerobuste på familieniveau (CR1) og behandler vægtene "
        "som kendte. Propensity score: logistisk regression på forholdene i balancetabellen."
    ),
    "method:relative_change": "Konfidensinterval: {bootstrap}.",
    "method:savings": (
        "Design: {design}. Udgifter fra {basis} i {year}-priser, diskonteret med {rate} om året fra familiens start. "
        "Konfidensinterval: {bootstrap}, stratificeret på gruppe.{pre}"
    ),
    "method:share": "Wilson-konfidensinterval for en andel (forældrene behandles som uafhængige).",
    "methods": "Metode og definitioner",
    "months_relative": "Måneder i forhold til start",
    "months_since": "Måneder siden start",
    "n": "Antal",
    "net_col": "Nettoresultat pr. familie",
    "no_intervention": (
        "Udtrækket har ingen indsatsfamilier (arm = intervention i families), så der er intet at evaluere: ingen af "
        "målene kan beregnes. Tjek kolonnen arm i families."
    ),
    "not_available": "ikke tilgængelig",
    "other_sites": "Øvrige områder",
    "p_value": "p-værdi",
    "pp_axis": "Procentpoint",
    "pre_cost:higher": (
        " I de 12 måneder før start var sammenligningsgruppens udgifter {size} højere pr. familie og måned end "
        "indsatsgruppens; besparelsen er en difference-in-differences, der trækker hver families udgiftsniveau før "
        "start fra."
    ),
    "pre_cost:lower": (
        " I de 12 måneder før start var sammenligningsgruppens udgifter {size} lavere pr. familie og måned end "
        "indsatsgruppens; besparelsen er en difference-in-differences, der trækker hver families udgiftsniveau før "
        "start fra."
    ),
    "pretrend:df": " ({df_num} og {df_den} frihedsgrader)",
    "pretrend:diverged": "Grupperne udviklede sig forskelligt før start, hvilket svækker sammenligningen.",
    "pretrend:parallel": "Testen viser ingen tegn på forskellig udvikling før start (men har begrænset styrke).",
    "pretrend:test": "Fælles test af forskellene før start: F = {statistic}{df}, p = {p_value}. {verdict}",
    "pretrend:unavailable": "Test for ens udvikling før start kunne ikke beregnes: {reason}.",
    "rate_axis": "Rate",
    "reference_before_after": "Forventet uden indsats",
    "reference_matched": "Sammenligning (matchet): ændring mod før, gns. pr. familie",
    "reference_randomised": "Kontrol, gns. pr. familie",
    "reference_weighted": "Sammenligning (vægtet): ændring mod før, gns. pr. familie",
    "replace:no": "uden tilbagelægning",
    "replace:yes": "med tilbagelægning",
    "results": "Resultater",
    "rows": "Rækker",
    "rule": "Advarsel",
    "savings": "Økonomi",
    "savings_col": "Besparelse",
    "savings_hidden": (
        "Besparelsen vises ikke: den hviler på færre end {min_cell} familier eller på udgifter, som to familier står "
        "for det meste af, eller den ville afsløre et tal, der er skjult andetsteds."
    ),
    "setting": "Indstilling",
    "setting:horizon_continued": "+{months} måneder (sidste års besparelse fortsætter)",
    "setting:months": "{months} måneder",
    "share_axis": "Andel",
    "site": "Område",
    "smd": "SMD",
    "smd_after": "SMD efter",
    "smd_before": "SMD før",
    "status:cash_benefit": "Kontanthjælp m.fl.",
    "status:early_retirement": "Førtidspension",
    "status:education": "Uddannelse",
    "status:flexjob": "Fleksjob",
    "status:flexjob_waiting": "Ledighedsydelse",
    "status:job": "Ordinært job",
    "status:job_clarification": "Jobafklaringsforløb",
    "status:no_status": "Ingen status",
    "status:other": "Andet",
    "status:resource_course": "Ressourceforløb",
    "status:sickness_benefit": "Sygedagpenge",
    "status:unemployment_benefit": "Dagpenge",
    "status_group:benefit": "Andre ydelser",
    "status_group:none": "Ingen status",
    "status_group:retired": "Førtidspension",
    "status_group:work": "Job, fleksjob, uddannelse",
    "status_hidden": "Skjult ({marker})",
    "step": "Trin",
    "step:analysed": "Indgår i: {measure}",
    "step:children_enrolled": "Børn",
    "step:families_enrolled": "Familier",
    "step:families_exited_before_end": "Familier, der stoppede før slut",
    "step:parents_enrolled": "Forældre",
    "step:parents_with_status_in_end": "Forældre med status i {end}",
    "subtitle": "Resultater til og med {end}",
    "suppressed_note": (
        "Celler med færre end {min_cell} personer er skjult (vist som «{marker}») af hensyn til diskretionen; "
        "celler, som de kunne regnes ud fra, er skjult som «skjult»."
    ),
    "survey": "Familiernes egen vurdering",
    "survey_intro": "Forældrenes svar ved start og ved opfølgning (skala 1–5) blandt dem, der svarede begge gange.",
    "survey_small_items": (
        "{count} spørgsmål besvaret af færre end {min_cell} familier vises ikke (heller ikke deres navne)."
    ),
    "table": "Tabel",
    "title": "Evaluering af familierettet beskæftigelsesindsats",
    "tornado_label": "{input}: {setting}",
    "unavailable_note": "{group}: ikke tilgængelig – {reason}.",
    "unit": "Enhed",
    "upper": "øvre grænse",
    "value": "Værdi",
    "variable": "Forhold",
    "version": "Programversion",
    "version_line": "Programversion: opgang-eval {version}",
    "wwc": "Vurdering",
    "wwc:adjust": "kræver justering",
    "wwc:fails": "ubalance",
    "wwc:satisfied": "god balance",
    "year": "År",
    "measure": "Udfald",
    "draws_short": "træk",
    "family": "Familie",
    "family:primary": "primær",
    "family:secondary": "sekundær",
    "figure_null": (
        "Randomiseringsfordelingen for effekten på {measure}: den forskel, hver ny lodtrækning af familierne inden "
        "for strata ville have givet, hvis indsatsen ingen effekt havde, og den observerede forskel"
    ),
    "headline:primary": (
        "Primært udfald: {measure}. Randomiseringstesten, der trækker forsøgets egen lodtrækning af familier om, "
        "giver {p}."
    ),
    "headline:primary_observational": "Primært udfald: {measure}. Den vilde cluster-bootstrap giver {p}.",
    "inference:CR1": "Klyngerobust (CR1), t med familier − 1 frihedsgrader",
    "inference:CR2": "Bias-reduceret klyngerobust (CR2), Satterthwaite-frihedsgrader",
    "inference:df": "Frihedsgrader",
    "inference:method": "Metode",
    "inference:randomisation": "Randomiseringstest (ny lodtrækning inden for strata)",
    "inference:wild_bootstrap": "Vild cluster-bootstrap (med nulhypotesen pålagt)",
    "method:inference": (
        "Hver effekt testes også på fire måder (afsnittet “Effekternes robusthed”). Det primære udfalds p-værdi i "
        "hovedresultaterne er fra {resampling}: {why} Udfaldene er delt i en primær familie ({primary}) og en "
        "sekundær familie; inden for hver er p-værdierne justeret for, at flere udfald testes (Romano–Wolf step-down,"
        " fra de samme træk), og skærpede q-værdier (Anderson 2008) er angivet."
    ),
    "method:why:randomisation": (
        "den trækker forsøgets egen lodtrækning af hele familier inden for strata om, så den holder præcist uanset "
        "antallet af familier, hvor klyngerobuste t-test kan være for liberale med få familier."
    ),
    "method:why:wild_bootstrap": (
        "randomiseringsinferens gælder ikke for en sammenligningsgruppe, der ikke er lodtrukket, og den vilde "
        "cluster-bootstrap med nulhypotesen pålagt holder bedre end klyngerobuste t-test med få familier; den tager "
        "matchningen eller vægtene for givet."
    ),
    "multiplicity": "Flere udfald testet: justerede p-værdier og q-værdier",
    "multiplicity:note": (
        "p-værdi: {resampling}. Justeret p: Romano–Wolf step-down inden for familien (sandsynligheden for mindst ét "
        "falsk fund blandt dens udfald er højst niveauet). q-værdi: Andersons skærpede q (den forventede andel falske"
        " fund blandt de fundne)."
    ),
    "null_draws": "Nye lodtrækninger",
    "observed": "Observeret effekt",
    "p_adjusted": "Justeret p",
    "q_value": "q-værdi",
    "resampling:randomisation": "randomiseringstesten",
    "resampling:wild_bootstrap": "den vilde cluster-bootstrap",
    "robustness": "Effekternes robusthed",
    "robustness:estimate": "Estimeret effekt: {estimate}.",
    "robustness:exact": "Forsøget kunne kun lodtrækkes på så få måder, at randomiseringstesten brugte dem alle.",
    "robustness:intro": (
        "Et forsøg af denne størrelse kræver mere end én måde at vurdere effekterne på. Hver effekt vises med fire "
        "intervaller og p-værdier: klyngerobust (CR1, som i resultaterne), den bias-reducerede CR2 med Satterthwaites"
        " småstikprøve-t-fordeling, den vilde cluster-bootstrap ({draws} træk, Rademacher-vægte, eller Webbs når et "
        "stratum har færre end 12 familier) og, hvor familierne blev lodtrukket, randomiseringstesten ({assignments} "
        "nye lodtrækninger af familierne inden for deres strata). Bootstrap- og randomiseringsintervallerne er de "
        "effekter, testen ikke afviser. Primært udfald: {primary}."
    ),
    "robustness:monte_carlo": (
        "Randomiseringstesten brugte tilfældige nye lodtrækninger; dens p-værdi er (1 + antal mindst lige så "
        "ekstreme)/(træk + 1)."
    ),
    "robustness:table": "{measure}: effekten efter fire metoder",
    "share_of_draws": "Andel af lodtrækninger",
    "definition:parents_in_flexjob": (
        "Andelen af forældrene med en status i {end}, som i {end} er i fleksjob. Modsat andelen i fleksjob blandt dem"
        " i beskæftigelse sammenligner den alle forældre i begge grupper, så forskellen er en effekt, som "
        "lodtrækningen beskytter."
    ),
    "measure:parents_in_flexjob": "Forældre i fleksjob",
    "effect_descriptive": "Forskel (beskrivende)",
    "descriptive_note": (
        "Forskellen betinger på at være i beskæftigelse eller uddannelse i {end}, hvilket indsatsen ændrede: den "
        "beskriver grupperne og er ikke en effekt. Dens grænser under selektion står i afsnittet om robusthed; "
        "effekten på fleksjob er den på alle forældre (Forældre i fleksjob)."
    ),
    "family:descriptive": "beskrivende",
    "lee": "Grænser under selektion (Lee 2009)",
    "lee:note": (
        "Hver andel ved slutningen udelader forældre uden status da, og andelen i fleksjob blandt dem i beskæftigelse"
        " er af en gruppe, indsatsen ændrede. Hvis indsatsen kun flyttede selektionen i én retning, ligger effekten "
        "for dem, der ville være udvalgt i begge grupper, mellem grænserne (gruppen med flest udvalgte beskåret med "
        "den ekstra andel); intervallet er en percentil-bootstrap af familier, der dækker begge grænser."
    ),
    "lee:selection:in_work_or_education": "forældre i beskæftigelse eller uddannelse i {end}",
    "lee:selection:status_in_end": "forældre med en status i {end}",
    "lee:selection": "Udvalgt",
    "lee:trimmed": "Beskåret andel",
    "lee:bounds": "Grænser",
    "lee:ci": "95 %-interval for grænserne",
    "inference:ancova": "Justeret for status før indskrivning (ANCOVA, CR1): {estimate}",
    "measure:summary_index": "Samlet indeks for familiernes udfald",
    "robustness:index": (
        "Én forhåndsfastlagt test af, om familierne samlet set klarede sig bedre (Kling, Liebman & Katz 2007): "
        "familiens andel af forældre i beskæftigelse eller uddannelse, børnenes ændring i skolefravær (med omvendt "
        "fortegn) og de unges ændring i fritidsjob, hver standardiseret med kontrolfamiliernes gennemsnit og "
        "standardafvigelse og gennemsnittet taget over de udfald, familien har. Effekten er i "
        "kontrolgruppe-standardafvigelser."
    ),
    "robustness:all_assignments": "alle mulige",
    "robustness:unbounded": (
        "{method}: ingen effektstørrelse kunne afvises på 5 %-niveau i den ene side, så intervallet er åbent dér (–);"
        " testen har for få forskellige træk."
    ),
    "headline:primary_cr2": "Primært udfald: {measure}. Den bias-reducerede klyngerobuste test (CR2) giver {p}.",
    "resampling:CR2": "den bias-reducerede klyngerobuste test (CR2; med så mange familier trækkes der ikke)",
    "method:why:CR2": (
        "med så mange familier er den klyngerobuste t præcis, og træk over alle familier ville tage lang tid; de "
        "justerede p-værdier er Holms."
    ),
    "robustness:intro_large": (
        "Med så mange familier er den klyngerobuste t-test præcis: hver effekt vises med sit CR1-interval (som i "
        "resultaterne) og den bias-reducerede CR2 med Satterthwaites småstikprøve-t-fordeling. Den vilde "
        "cluster-bootstrap og randomiseringstesten, der betyder noget med få familier, køres ikke. Primært udfald: "
        "{primary}."
    ),
    "multiplicity:note_holm": (
        "p-værdi: {resampling}. Justeret p: Holms step-down inden for familien (sandsynligheden for mindst ét falsk "
        "fund blandt dens udfald er højst niveauet). q-værdi: Andersons skærpede q (den forventede andel falske fund "
        "blandt de fundne)."
    ),
    "lee:selection:both_school_years": "børn med begge skoleår",
}
