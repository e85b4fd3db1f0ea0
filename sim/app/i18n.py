"""The teaching app's two languages: English (the source) and Danish.

Two tables:

- ``UI``: the page's own words (buttons, headings, notes, the Info tab), by key, each as an
  (English, Danish) pair; ``t(key, lang, **fields)`` formats one.
- ``DA``: the registries' texts the page shows — rule titles and explanations
  (``sim.rules``), output labels and units (``sim.outputs``), parameter descriptions
  (``sim.params``), preset display names and descriptions (``scenarios/*.yaml``), the
  exercises (``sim.app.exercises``) — keyed by their English text; ``tr(text, lang)``
  translates one. The registries stay the one source: a registry text without a Danish entry
  is shown in English, and ``registry_texts()`` lists every text the page can show, so
  tests/test_app.py checks that each has one (an edited English text is caught there).

BUM, HOD and modelkommune keep their Danish names in both languages.
"""

from __future__ import annotations

import re

LANGS = ("en", "da")
LANG_NAMES = {"en": "English", "da": "Dansk"}

UI: dict[str, tuple[str, str]] = {
    # app bar and tabs
    "app.title": (
        "govsim — governance models side by side",
        "govsim — styringsmodeller side om side",
    ),
    "tab.simulation": ("Simulation", "Simulering"),
    "tab.info": ("Info", "Info"),
    "tab.odd": ("ODD", "ODD"),
    "lang.label": ("Language", "Sprog"),
    # settings column
    "models": ("Models", "Modeller"),
    "model_a": ("Model A", "Model A"),
    "model_b": ("Model B (side by side)", "Model B (side om side)"),
    "none": ("— none —", "— ingen —"),
    "file.input": ("or a scenario file (.yaml)", "eller en scenariefil (.yaml)"),
    "file.load_a": ("Load as A", "Indlæs som A"),
    "file.load_b": ("Load as B", "Indlæs som B"),
    "build.error": ("Cannot build the models: {error}", "Modellerne kan ikke bygges: {error}"),
    "params": ("Parameters", "Parametre"),
    "params.note": (
        "Same municipality and seed for both models. Each model's sliders change **that model "
        "only**; tick *apply to both* to move a parameter in both models at once.",
        "Samme kommune og samme seed i begge modeller. Hver models skydere ændrer **kun den "
        "model**; sæt flueben i *gælder for begge* for at flytte en parameter i begge modeller.",
    ),
    "params.link": ("apply to both models", "gælder for begge modeller"),
    "params.not_applied": (" • not applied", " • ikke anvendt"),
    "seed": ("Seed", "Seed"),
    "seed.input": ("Seed (whole number)", "Seed (helt tal)"),
    "seed.error": (
        "seed has value {value}: it must be a whole number ≥ 0",
        "seed har værdien {value}: den skal være et helt tal ≥ 0",
    ),
    "seeds.slider": ("Seeds averaged: {n}", "Gennemsnit over seeds: {n}"),
    "seeds.note": (
        "With more than one seed the plots show the mean over the seeds and a shaded band from "
        "the lowest to the highest (the class sees what holds, not one seed's luck).",
        "Med mere end ét seed viser graferne gennemsnittet over dem og et skraveret bånd fra "
        "det laveste til det højeste (klassen ser, hvad der holder, ikke ét seeds held).",
    ),
    "apply.error": ("Cannot apply: {error}", "Kan ikke anvendes: {error}"),
    "apply": ("Apply and reset", "Anvend og nulstil"),
    "discard": ("Discard", "Fortryd"),
    "defaults": ("Defaults", "Standardværdier"),
    # control bar
    "reset": ("Reset", "Nulstil"),
    "play": ("Play", "Afspil"),
    "pause": ("Pause", "Pause"),
    "step": ("Step", "Trin"),
    "per.quarter": ("quarter", "kvartal"),
    "per.year": ("year", "år"),
    "speed": ("Speed: {ms} ms/step", "Hastighed: {ms} ms/trin"),
    "counter": (
        "Quarter {q} of {n} · {now} · {done} of {years} years done",
        "Kvartal {q} af {n} · {now} · {done} af {years} år kørt",
    ),
    "now.start": ("start", "start"),
    "now.quarter": ("{year} Q{q}", "{year} K{q}"),
    "finished": (
        "Run finished ({now}). Press Reset to run it again.",
        "Kørslen er slut ({now}). Tryk Nulstil for at køre den igen.",
    ),
    "pending.sliders": (
        "{n} slider change(s) not applied yet — Step and Play use the old values "
        "(Apply and reset, or Discard, in the settings)",
        "{n} ændring(er) af skydere er ikke anvendt endnu — Trin og Afspil bruger de gamle "
        "værdier (Anvend og nulstil, eller Fortryd, i indstillingerne)",
    ),
    "pending.seeds": (
        "The number of seeds is not applied yet (Apply and reset)",
        "Antallet af seeds er ikke anvendt endnu (Anvend og nulstil)",
    ),
    "seeds.mean": (
        "Mean of {n} seeds ({first}–{last}); the shaded band runs from the lowest to the "
        "highest seed. The map and the event log show seed {first}.",
        "Gennemsnit af {n} seeds ({first}–{last}); det skraverede bånd går fra det laveste til "
        "det højeste seed. Kortet og hændelsesloggen viser seed {first}.",
    ),
    "timing": (
        "last step + render on the server: {s} s",
        "sidste trin + visning på serveren: {s} s",
    ),
    # sections
    "h.events": ("What happened", "Hvad skete der"),
    "h.map": ("Map of the areas", "Kort over områderne"),
    "h.rules": ("Rules in force", "Gældende regler"),
    "h.export": ("Export", "Eksport"),
    # tables
    "table.latest": ("Latest year", "Seneste år"),
    "table.monitors": ("Monitors", "Målere"),
    "table.now": ("now", "nu"),
    "table.last_year": ("last year", "sidste år"),
    "million": ("M", "mio."),
    "yes": ("yes", "ja"),
    "no": ("no", "nej"),
    # plots
    "plot.empty": ("no year completed yet", "intet år afsluttet endnu"),
    "plot.switch": ("{model}: new rules", "{model}: nye regler"),
    "note.shares.q": (
        "Why do the two shares add up to more than 100 %?",
        "Hvorfor giver de to andele tilsammen mere end 100 %?",
    ),
    "note.sick_leave.q": (
        "Why does sick leave rise in every model?",
        "Hvorfor stiger sygefraværet i alle modeller?",
    ),
    "note.shares": (
        "The tendered share counts all work "
        "exposed to competition, the in-house share all work the municipality's own unit "
        "delivers. Work the in-house unit keeps because no bid beat its own price or none came "
        "(HOD, mostly), or wins back with a control bid (BUM), has been tendered *and* is "
        "delivered in-house, so it counts in both.",
        "Udbudsandelen tæller alt "
        "arbejde, der er sendt i konkurrence, egenandelen alt arbejde, kommunens egen enhed "
        "udfører. Arbejde, som den egne enhed beholder, fordi intet bud slog dens egen pris "
        "eller intet bud kom (mest i HOD), eller vinder tilbage med et kontrolbud (BUM), er "
        "udbudt *og* udføres af egen enhed, så det tæller med i begge.",
    ),
    "note.sick_leave": (
        "The model adds a general upward trend of "
        "{trend} percentage points a year (*Employees: sick leave trend*, taken from the rise "
        "in Norwegian municipalities outside the programmes, E12) to every employee's sick "
        "leave, whatever the rules. The rules only move it around that trend: each point of "
        "wellbeing (1–7 scale) above the baseline lowers it by {slope} percentage points, and "
        "a model with a *Sick-leave goal* follows up absence. Compare the models' *levels*, "
        "not the slope.",
        "Modellen lægger en generel stigning på "
        "{trend} procentpoint om året (*Medarbejdere: sygefraværstrend*, fra stigningen i "
        "norske kommuner uden for programmerne, E12) til hver medarbejders sygefravær, uanset "
        "reglerne. Reglerne flytter det kun omkring den trend: hvert point trivsel (skala "
        "1–7) over udgangspunktet sænker det med {slope} procentpoint, og en model med et "
        "*Sygefraværsmål* følger op på fraværet. Sammenlign modellernes *niveau*, ikke "
        "hældningen.",
    ),
    # export
    "export.png": ("PNG", "PNG"),
    "export.csv": ("Shown data (CSV)", "Viste data (CSV)"),
    "export.note": (
        "Each plot's PNG is under the plot. The CSV holds the yearly values the plots and "
        "tables show (the mean when several seeds are averaged), one row per model and year.",
        "Hver grafs PNG ligger under grafen. CSV-filen rummer de årlige værdier, graferne og "
        "tabellerne viser (gennemsnittet, når der er flere seeds), én række pr. model og år.",
    ),
    "export.nat.csv": ("Municipalities × years (CSV)", "Kommuner × år (CSV)"),
    "export.nat.note": (
        "One row per municipality and year: its model, whether it adopted it that year, and the "
        "outcomes the tiles colour by. Each line's PNG is under it.",
        "Én række pr. kommune og år: dens model, om den skiftede til den det år, og de "
        "resultater, felterne farves efter. Hver linjes PNG ligger under den.",
    ),
    # event log
    "log.none_yet": ("No year completed yet.", "Intet år afsluttet endnu."),
    "log.nothing": ("Nothing happened this year.", "Intet skete i året."),
    "log.year": ("What happened in {year}", "Hvad skete der i {year}"),
    "log.earlier": ("Earlier years", "Tidligere år"),
    "ev.regime": (
        "Regime switch: regime {r} starts — rules now: {rules}",
        "Regimeskift: regime {r} begynder — regler nu: {rules}",
    ),
    "ev.election": ("Local election", "Kommunalvalg"),
    "ev.budget_cut": (
        "Budget cut: {what} −{cut} (now {now})",
        "Budgetbesparelse: {what} −{cut} (nu {now})",
    ),
    "ev.tender": (
        "Tender: area {area}, {task} ({pct} % of the package, {value}/yr) — won by {who}, "
        "{bidders} bidder(s){bid}; saving {saving} %",
        "Udbud: område {area}, {task} ({pct} % af pakken, {value}/år) — vundet af {who}, "
        "{bidders} byder(e){bid}; besparelse {saving} %",
    ),
    "ev.inhouse": ("the in-house unit", "den egne enhed"),
    "ev.firm": ("firm {id}", "firma {id}"),
    "ev.bid_won": ("; in-house control bid won", "; egen enheds kontrolbud vandt"),
    "ev.bid_lost": ("; in-house control bid lost", "; egen enheds kontrolbud tabte"),
    "ev.control_bids": (
        "{what}: {n} ({won} won by the in-house unit)",
        "{what}: {n} ({won} vundet af den egne enhed)",
    ),
    "ev.areas": (" — areas {areas}", " — områder {areas}"),
    "dkk": ("{m} M DKK", "{m} mio. kr."),
    "task.roads": ("roads", "veje"),
    "task.street_cleaning": ("street cleaning", "gadefejning"),
    "task.parks": ("parks", "parker"),
    "task.winter_service": ("winter service", "vintertjeneste"),
    # map
    "map.outcome.satisfaction": ("satisfaction", "tilfredshed"),
    "map.outcome.gap": ("gap", "gab"),
    "map.outcome.quality": ("quality", "kvalitet"),
    "map.outcome.staff": ("staff", "personale"),
    "map.area": ("Area {i}", "Område {i}"),
    "map.no_survey": ("no survey yet", "ingen måling endnu"),
    "map.inhouse": ("in-house {pct} %", "egen enhed {pct} %"),
    "map.no_firm": ("no firm", "intet firma"),
    "map.colour": ("colour: {what}", "farve: {what}"),
    "map.legend": (
        "Each cell is an area. *in-house %* = share of its work the municipality's own unit "
        "delivers; *F1, F2, …* = private firms holding contracts there. **Black frame**: "
        "flagged by benchmarking (citizens and staff disagree, or below what politicians "
        "expect). **LT**: a learning team worked there this year. **Dot**: goal status under "
        "goal steering (green / yellow / red).",
        "Hver celle er et område. *egen enhed %* = den del af arbejdet, kommunens egen enhed "
        "udfører; *F1, F2, …* = private firmaer med kontrakter dér. **Sort ramme**: markeret "
        "af benchmarkingen (borgere og personale er uenige, eller under politikernes "
        "forventning). **LT**: et læringsteam arbejdede dér i år. **Prik**: målstatus under "
        "målstyring (grøn / gul / rød).",
    ),
    "map.title.satisfaction": ("citizen satisfaction", "borgertilfredshed"),
    "map.title.gap": (
        "satisfaction − political expectation",
        "tilfredshed − politisk forventning",
    ),
    "map.title.quality": ("delivered quality", "leveret kvalitet"),
    "map.title.staff": ("staff's own assessment", "personalets egen vurdering"),
    # the national view (sim.app.national)
    "tab.national": ("National view", "Landsbillede"),
    "nat.head": ("National view", "Landsbillede"),
    "nat.population": ("Population of municipalities", "Population af kommuner"),
    "nat.about": (
        "{n} municipalities in {r} regions, {years} years",
        "{n} kommuner i {r} regioner, {years} år",
    ),
    "nat.years": ("Years to run: {n}", "År at køre: {n}"),
    "nat.run": ("Run", "Kør"),
    "nat.running": (
        "Running {n} municipalities for {years} years …",
        "Kører {n} kommuner i {years} år …",
    ),
    "nat.none": (
        "Choose a population and a seed and press **Run**: every municipality of the "
        "population runs its own governance model, on its own seed drawn from the national "
        "one, for the chosen years (a few seconds).",
        "Vælg en population og et seed, og tryk **Kør**: hver kommune i populationen kører sin "
        "egen styringsmodel på sit eget seed, trukket fra det nationale, i de valgte år (et "
        "par sekunder).",
    ),
    "nat.changed": (
        "The settings differ from the run shown — press Run to run them",
        "Indstillingerne er ikke dem, den viste kørsel har — tryk Kør for at køre dem",
    ),
    "nat.counter": (
        "{year} · year {i} of {n} · {name}, seed {seed}",
        "{year} · år {i} af {n} · {name}, seed {seed}",
    ),
    "nat.year": ("Year shown: {year}", "Vist år: {year}"),
    "nat.colour": ("Colour the municipalities by", "Farv kommunerne efter"),
    "nat.colour.model": ("governance model", "styringsmodel"),
    "nat.colour.tendered_share": ("tendered share", "udbudsandel"),
    "nat.colour.admin_overhead_share": ("overhead", "overhead"),
    "nat.colour.citizen_satisfaction": ("satisfaction", "tilfredshed"),
    "nat.region.count": ("{n} municipalities", "{n} kommuner"),
    "nat.tile": (
        "{name} — {citizens} inhabitants — {model}",
        "{name} — {citizens} indbyggere — {model}",
    ),
    "nat.legend.switched": ("adopted a new model this year", "skiftede model i år"),
    "nat.plot.models": ("Municipalities running each model", "Kommuner med hver model"),
    "nat.adopted": ("(+{n} adopted)", "(+{n} nye)"),
    "nat.band": ("E7: {band} ({first}–{last})", "E7: {band} ({first}–{last})"),
    "nat.h.lines": ("The nation over time", "Landet over tid"),
    "nat.legend": (
        "Each square is a municipality, in its region, largest first (hover for its name, "
        "inhabitants and values). **Colour**: its governance model in the year shown (or the "
        "chosen outcome, on one scale for the whole run). **Black frame**: it adopted a new "
        "model at the start of this year. The bar under a region's name counts its "
        "municipalities per model. The lines below are national: exposure to competition "
        "(weighted by task volume, with the {band} the statistics give for {first}–{last}, "
        "E7), administrative overhead, citizen satisfaction (weighted by inhabitants) and the "
        "municipalities per model; the dashed line marks the year shown.",
        "Hvert felt er en kommune i sin region, den største først (hold musen over for navn, "
        "indbyggere og værdier). **Farve**: kommunens styringsmodel i det viste år (eller det "
        "valgte udfald, på én skala for hele kørslen). **Sort ramme**: kommunen skiftede model "
        "ved årets start. Bjælken under regionens navn tæller dens kommuner pr. model. "
        "Graferne nedenfor er for hele landet: konkurrenceudsættelse (vægtet med "
        "opgavemængden, med de {band}, statistikken giver for {first}–{last}, E7), "
        "administrativt overhead, borgertilfredshed (vægtet med indbyggere) og kommunerne pr. "
        "model; den stiplede linje markerer det viste år.",
    ),
    # rules panel
    "rules.head": ("{model} — rules in force{regime}", "{model} — gældende regler{regime}"),
    "rules.regime": (" (regime {r} of {n})", " (regime {r} af {n})"),
    "rules.in_model": ("In this model: {params}.", "I denne model: {params}."),
    "rules.odd": ("Model description (ODD)", "Modelbeskrivelse (ODD, på engelsk)"),
    # ODD and docs pages
    "odd.missing": (
        "The ODD description ({path}) is not in this installation; section: {anchor}",
        "ODD-beskrivelsen ({path}) findes ikke i denne installation; afsnit: {anchor}",
    ),
    "odd.no_section": (
        "No section '{anchor}' in docs/ODD.md; showing the whole document.",
        "Intet afsnit '{anchor}' i docs/ODD.md; hele dokumentet vises.",
    ),
    "odd.whole": ("The whole model description (ODD)", "Hele modelbeskrivelsen (ODD)"),
    "doc.missing": (
        "No document {name} in this installation's docs/ folder.",
        "Intet dokument {name} i denne installations docs/-mappe.",
    ),
    "doc.english": (
        "The model documentation is in English.",
        "Modeldokumentationen findes kun på engelsk.",
    ),
    # Info tab
    "info.exercise": ("Exercise {i}: {title}", "Øvelse {i}: {title}"),
    "info.question": ("Question.", "Spørgsmål."),
    "info.steps": ("Steps.", "Fremgangsmåde."),
    "info.shows": (
        "What the model shows (mean of the seeds).",
        "Hvad modellen viser (gennemsnit over seeds).",
    ),
    "info.load": ("Load exercise {i}", "Indlæs øvelse {i}"),
    "info.body": (
        """
## What is it?

govsim simulates how a Danish or Norwegian municipality governs its operational services
(roads, parks, street cleaning, winter service). Each **model** is a set of governance rules:
BUM (the purchaser–provider split, with tendering and control bids), HOD (holistic operation
with a fixed in-house share, benchmarking and learning teams) and the Norwegian
modelkommune (model municipality, built on trust and employee proposals). Two models run side
by side on **the same municipality and the same seed**, so every difference comes from the
rules.

## How to use it

*Reset* starts again, *Play* runs year after year (the *Speed* slider sets the pause between
steps), *Step* advances one quarter or one year. The sliders in the settings column change
one model each; nothing changes until *Apply and reset*. With *Seeds averaged* above 1 the
plots show the mean over several seeds and a band from the lowest to the highest. *Export*
saves each plot as PNG and the shown data as CSV; *Dansk* in the title bar switches the
language. The *National view* tab runs a whole population of municipalities (Denmark's 98)
and shows them region by region, year by year, with the national lines.

## Things to notice

- The yearly plots change once a year, when surveys and accounts are closed.
- *What happened* lists each year's tenders and their winners, control bids, learning teams,
  budget cuts, elections and regime switches; a dashed line on the plots marks a regime switch,
  a dotted grey line an election.
- One seed is one possible history. Compare a single seed with the mean of eight.
- The in-house and tendered shares can add up to a little more than 100 % (most in HOD):
  work the unit keeps because no bid beat its own price, or wins back with a control bid, is
  both tendered and delivered in-house.
- Sick leave rises in every model: the model adds a general upward trend; the rules move the
  level around it.

## Things to try

Each exercise of the teaching notes (docs/teaching.md) loads with one click:
""",
        """
## Hvad er det?

govsim simulerer, hvordan en dansk eller norsk kommune styrer sin driftsopgaver (veje,
parker, gadefejning, vintertjeneste). Hver **model** er et sæt styringsregler: BUM
(bestiller–udfører-modellen med udbud og kontrolbud), HOD (helhedsorienteret drift med en
fast egenandel, benchmarking og læringsteams) og den norske modelkommune (bygget på tillid og
medarbejdernes forslag). To modeller kører side om side i **den samme kommune med det samme
seed**, så enhver forskel skyldes reglerne.

## Sådan bruges den

*Nulstil* starter forfra, *Afspil* kører år efter år (skyderen *Hastighed* bestemmer pausen
mellem trinene), *Trin* går et kvartal eller et år frem. Skyderne i indstillingskolonnen
ændrer hver én model; intet ændres før *Anvend og nulstil*. Med *Gennemsnit over seeds* over
1 viser graferne gennemsnittet over flere seeds og et bånd fra det laveste til det højeste.
*Eksport* gemmer hver graf som PNG og de viste data som CSV; *English* i titellinjen skifter
sprog. Fanen *Landsbillede* kører en hel population af kommuner (Danmarks 98) og viser dem
region for region, år for år, med kurverne for hele landet.

## Læg mærke til

- De årlige grafer ændrer sig én gang om året, når målinger og regnskab er afsluttet.
- *Hvad skete der* viser hvert års udbud og vindere, kontrolbud, læringsteams,
  budgetbesparelser, valg og regimeskift; en stiplet linje på graferne markerer et
  regimeskift, en prikket grå linje et valg.
- Ét seed er én mulig historie. Sammenlign et enkelt seed med gennemsnittet af otte.
- Egenandel og udbudsandel kan tilsammen give lidt mere end 100 % (mest i HOD): arbejde,
  som enheden beholder, fordi intet bud slog dens egen pris, eller vinder tilbage med et
  kontrolbud, er både udbudt og udført af egen enhed.
- Sygefraværet stiger i alle modeller: modellen lægger en generel stigende trend ind;
  reglerne flytter niveauet omkring den.

## Prøv selv

Hver øvelse i undervisningsnoterne (docs/teaching.md) indlæses med ét klik:
""",
    ),
}


# English registry text → Danish (see the module docstring).
DA: dict[str, str] = {
    # parameter names that parameter descriptions refer to (``plain``)
    "involvement reference": "referenceniveauet for inddragelse",
    "control hours reference": "referenceniveauet for kontroltimer",
    # presets (scenarios/*.yaml: title, description) and the app's teaching variant
    "BUM (purchaser–provider split)": "BUM (bestiller–udfører-modellen)",
    "HOD (holistic operation)": "HOD (helhedsorienteret drift)",
    "BUM → HOD in April 2011": "BUM → HOD i april 2011",
    "Model municipality (modelkommune)": "Modelkommune",
    "Quality municipality (kvalitetskommune)": "Kvalitetskommune",
    "Model municipality, 25 % tendered": "Modelkommune med 25 % udbud",
    "BUM, the purchaser–provider split: tendering toward the 31.5 % national target, control "
    "bids, internal invoicing, inspection and accumulating procedures (seeds 000, 001, 004).": (
        "BUM, bestiller–udfører-modellen: udbud hen mod det nationale mål på 31,5 %, "
        "kontrolbud, intern fakturering, tilsyn og procedurer, der hober sig op (kilder 000, "
        "001, 004)."
    ),
    "HOD, holistic operation: a fixed 70 % in-house share without control bids, at least 30 % "
    "tendered, multi-bottom-line benchmarking per area and learning teams (seeds 000, 001).": (
        "HOD, helhedsorienteret drift: en fast egenandel på 70 % uden kontrolbud, mindst 30 % i "
        "udbud, benchmarking på flere bundlinjer pr. område og læringsteams (kilder 000, 001)."
    ),
    "BUM until 1 April 2011, then HOD, as in the municipality whose transition the sources "
    "follow to the end of 2013 (seed 001).": (
        "BUM indtil 1. april 2011, derefter HOD, som i den kommune, hvis omstilling kilderne "
        "følger til udgangen af 2013 (kilde 001)."
    ),
    "The Norwegian model municipality: tripartite consensus, no tendering during the trial, "
    "every employee proposal considered, development guides from the own staff (seed 004).": (
        "Den norske modelkommune: trepartskonsensus, ingen udbud i forsøgsperioden, alle "
        "medarbejderforslag behandles, udviklingsvejledere fra eget personale (kilde 004)."
    ),
    "The Norwegian quality municipality programme: tripartite work on own resources with a "
    "sick-leave goal, but no guarantee against tendering (seed 004; E12).": (
        "Det norske kvalitetskommuneprogram: trepartssamarbejde om egne ressourcer med et "
        "sygefraværsmål, men ingen garanti mod udbud (kilde 004; E12)."
    ),
    "Dialogue-based goal steering with red/yellow/green follow-up and a trust-based "
    "supplement on top of ordinary tendering (seeds 002, 003).": (
        "Dialogbaseret målstyring med rød/gul/grøn opfølgning og et tillidsbaseret tillæg oven "
        "på almindelige udbud (kilder 002, 003)."
    ),
    "The model municipality without its no-tendering guarantee (25 % tendered).": (
        "Modelkommunen uden sin garanti mod udbud (25 % i udbud)."
    ),
    # rules (sim/rules/*.py: title, explanation)
    "Tendering": "Udbud",
    "A share of the work is put out to tender. Private firms bid; the best price/quality bid "
    "wins a contract for a few years. Tendering costs the municipality a few percent of the "
    "contract value.": (
        "En del af arbejdet sendes i udbud. Private firmaer byder; det bedste bud på pris og "
        "kvalitet vinder en kontrakt for nogle år. Udbuddet koster kommunen nogle procent af "
        "kontraktværdien."
    ),
    "Control bids": "Kontrolbud",
    "The in-house unit may bid against private firms for tendered work. It bids where it "
    "expects to win and so keep its crews busy; it keeps the work only if its bid, covering "
    "all its costs, wins. Writing and checking the bids costs administrative time.": (
        "Den egne enhed kan byde mod private firmaer på udbudt arbejde. Den byder, hvor den "
        "regner med at vinde og dermed holde sine hold beskæftiget; den beholder kun arbejdet, "
        "hvis dens bud, der dækker alle dens omkostninger, vinder. At skrive og kontrollere "
        "buddene koster administrativ tid."
    ),
    "Internal invoicing": "Intern fakturering",
    "The in-house unit sends invoices to the orderer for its own work, as if it were a "
    "company. Each invoice takes time on both sides.": (
        "Den egne enhed sender fakturaer til bestilleren for sit eget arbejde, som om den var "
        "en virksomhed. Hver faktura tager tid på begge sider."
    ),
    "Inspection and control": "Tilsyn og kontrol",
    "The orderer checks the work of the in-house unit and the firms. The less the parties "
    "trust each other, the more checking is needed.": (
        "Bestilleren kontrollerer den egne enheds og firmaernes arbejde. Jo mindre parterne "
        "stoler på hinanden, jo mere kontrol skal der til."
    ),
    "Bureaucratic drift": "Bureaukratisk vækst",
    "Every year new procedures are added to the orderer–provider relationship and few are "
    "removed, so controls and invoicing take more and more time.": (
        "Hvert år kommer der nye procedurer til i forholdet mellem bestiller og udfører, og få "
        "fjernes, så kontrol og fakturering tager mere og mere tid."
    ),
    "Fixed in-house share": "Fast egenandel",
    "The in-house unit is guaranteed a fixed share of the work without bidding; at least the "
    "rest is tendered. The municipality computes what the unit would cost and awards a "
    "tendered lot only if the best bid is not dearer than that (within a tolerance); otherwise "
    "the unit keeps the work.": (
        "Den egne enhed er sikret en fast andel af arbejdet uden at byde; mindst resten "
        "udbydes. Kommunen beregner, hvad enheden ville koste, og tildeler kun en udbudt "
        "opgave, hvis det bedste bud ikke er dyrere end det (inden for en tolerance); ellers "
        "beholder enheden arbejdet."
    ),
    "Multi-bottom-line benchmarking": "Benchmarking på flere bundlinjer",
    "Each area is measured on several bottom lines: what citizens think, what the "
    "professional staff think, cost, and employee wellbeing — and compared with what the "
    "politicians expect there.": (
        "Hvert område måles på flere bundlinjer: hvad borgerne mener, hvad fagpersonalet "
        "mener, omkostninger og medarbejdertrivsel — og sammenlignes med, hvad politikerne "
        "forventer dér."
    ),
    "Learning teams": "Læringsteams",
    "When citizens and staff disagree about an area, or it falls below what the politicians "
    "expect, employees who know the area form a team to find out why and improve it.": (
        "Når borgere og personale er uenige om et område, eller det falder under politikernes "
        "forventning, danner medarbejdere, der kender området, et team for at finde årsagen og "
        "forbedre det."
    ),
    "Tripartite consensus": "Trepartskonsensus",
    "Politicians, managers and union representatives sit together as equals and choose "
    "development tasks by consensus. A task goes ahead only if every party supports it — so "
    "it depends on trust between them.": (
        "Politikere, ledere og tillidsrepræsentanter sidder sammen som ligeværdige og vælger "
        "udviklingsopgaver i enighed. En opgave gennemføres kun, hvis alle parter støtter den "
        "— så den afhænger af tilliden mellem dem."
    ),
    "Employee proposals": "Medarbejderforslag",
    "Employees suggest better ways to do the work, and management promises to consider every "
    "suggestion seriously.": (
        "Medarbejderne foreslår bedre måder at udføre arbejdet på, og ledelsen lover at tage "
        "hvert forslag alvorligt."
    ),
    "Development guides": "Udviklingsvejledere",
    "Some of the municipality's own employees are trained to guide development work, so good "
    "ideas get carried out without hiring consultants.": (
        "Nogle af kommunens egne medarbejdere uddannes til at vejlede i udviklingsarbejde, så "
        "gode idéer bliver gennemført uden at hyre konsulenter."
    ),
    "No-tendering guarantee": "Garanti mod udbud",
    "The municipality promises not to put work out to tender during the trial, so employees "
    "can propose savings without fearing for their jobs.": (
        "Kommunen lover ikke at sende arbejde i udbud i forsøgsperioden, så medarbejderne kan "
        "foreslå besparelser uden at frygte for deres job."
    ),
    "Sick-leave goal": "Sygefraværsmål",
    "The municipality sets itself a concrete goal to reduce sick leave and works with "
    "employees to reach it.": (
        "Kommunen sætter sig et konkret mål om at nedbringe sygefraværet og arbejder sammen med "
        "medarbejderne om at nå det."
    ),
    "Dialogue-based goal steering": "Dialogbaseret målstyring",
    "Once per election period politicians and unit leaders meet, agree a few goals for each "
    "area, and follow them up every year as red, yellow or green.": (
        "Én gang i hver valgperiode mødes politikere og enhedsledere, aftaler nogle få mål for "
        "hvert område og følger op på dem hvert år som rød, gul eller grøn."
    ),
    "Trust dynamics": "Tillidsdynamik",
    "Trust between employees and managers, orderer and provider, politicians and "
    "administration, citizens and the municipality, and the municipality and its firms grows "
    "slowly when commitments are kept and falls quickly when they are broken.": (
        "Tilliden mellem medarbejdere og ledere, bestiller og udfører, politikere og "
        "administration, borgere og kommune samt kommunen og dens firmaer vokser langsomt, når "
        "aftaler holdes, og falder hurtigt, når de brydes."
    ),
    # parameter groups and fields (sim/params.py; the rules' fields)
    "Politics": "Politik",
    "Market": "Marked",
    "Employees": "Medarbejdere",
    "Municipality": "Kommune",
    "Trust": "Tillid",
    "share": "andel",
    "floor": "minimum",
    "contract years": "kontraktår",
    "growth": "vækst",
    "share of volume": "andel af mængden",
    "max teams": "højst antal teams",
    "initial": "startværdi",
    "expectation mean": "gennemsnitlig forventning",
    "austerity": "sparerunder",
    "cost mean": "gennemsnitlig omkostning",
    "control effect": "kontrolvirkning",
    "participation effect": "deltagelsesvirkning",
    "areas": "områder",
    "sick leave trend": "sygefraværstrend",
    # parameter units and descriptions (sim/params.py, the rules' Params)
    "years": "år",
    "share per year": "andel pr. år",
    "share of task volume": "andel af opgavemængden",
    "teams/yr": "teams/år",
    "trust 0–1": "tillid 0–1",
    "satisfaction 0–1": "tilfredshed 0–1",
    "probability per year": "sandsynlighed pr. år",
    "× in-house reference cost": "× egen enheds referenceomkostning",
    "scale points per unit control demand": "skalapoint pr. enhed kontrolkrav",
    "scale points at full involvement": "skalapoint ved fuld inddragelse",
    "Share of the task volume the municipality wants exposed to competition.": (
        "Den andel af opgavemængden, kommunen vil sende i konkurrence."
    ),
    "The exposed share is never planned below this, whatever `share` says (seed 001's minimum).": (
        "Den konkurrenceudsatte andel planlægges aldrig under dette, uanset hvad `andel` siger "
        "(kilde 001's minimum)."
    ),
    "Length of a contract.": "En kontrakts længde.",
    "Share of the task volume kept out of tendering for the in-house unit, at most: at least "
    "1 − share is tendered, more if tendering.share asks for more.": (
        "Den andel af opgavemængden, der højst holdes uden for udbud til den egne enhed: "
        "mindst 1 − andel udbydes, mere hvis tendering.share kræver mere."
    ),
    "Yearly growth of procedure load.": "Årlig vækst i procedurebyrden.",
    "Inspection and control cost as a share of the volume under the split, at trust 0.5.": (
        "Omkostningen til tilsyn og kontrol som andel af mængden under bestiller–udfører-"
        "modellen, ved tillid 0,5."
    ),
    "Teams the unit can run in one year.": "De teams, enheden kan drive på ét år.",
    "Trust in every relation at the start.": "Tilliden i alle relationer ved starten.",
    "Mean political expectation of citizen satisfaction per area.": (
        "Politikernes gennemsnitlige forventning til borgertilfredsheden pr. område."
    ),
    "Chance of a framework saving in a year.": "Sandsynligheden for en rammebesparelse i et år.",
    "Mean cost level of a private firm (the lowest of several bids is still below in-house "
    "cost).": (
        "Et privat firmas gennemsnitlige omkostningsniveau (det laveste af flere bud er stadig "
        "under egen enheds omkostning)."
    ),
    "Wellbeing lost when the control work an employee bears equals control_hours_reference.": (
        "Den trivsel, der tabes, når det kontrolarbejde, en medarbejder bærer, svarer til "
        "control_hours_reference."
    ),
    "Wellbeing gained by an employee whose recent involvement hours are far above "
    "involvement_reference.": (
        "Den trivsel, en medarbejder vinder, når de seneste timers inddragelse ligger langt "
        "over involvement_reference."
    ),
    "Geographic areas in which service is delivered and judged.": (
        "Geografiske områder, hvor ydelsen leveres og bedømmes."
    ),
    # the national view: the national table's labels and units, the shipped populations
    "Exposure to competition (national)": "Konkurrenceudsættelse (hele landet)",
    "Administrative overhead (national)": "Administrativt overhead (hele landet)",
    "Citizen satisfaction (national)": "Borgertilfredshed (hele landet)",
    "municipalities": "kommuner",
    "Denmark's 98 municipalities in 5 regions, sizes from a lognormal fitted to Statistics "
    "Denmark's FOLK1A facts (median ≈ 43,000, Læsø ≈ 1,800, Copenhagen ≈ 650,000, ≈ 5.9 M in "
    "all); 5 HOD, 2 model municipalities, the rest BUM with their own tender shares.": (
        "Danmarks 98 kommuner i 5 regioner, størrelser fra en lognormalfordeling tilpasset "
        "Danmarks Statistiks FOLK1A (median ≈ 43.000, Læsø ≈ 1.800, København ≈ 650.000, "
        "≈ 5,9 mio. i alt); 5 HOD, 2 modelkommuner, resten BUM med hver sin udbudsandel."
    ),
    "Denmark's 98 municipalities as in denmark.yaml (5 HOD, 2 model municipalities, 91 BUM), "
    "and BUM municipalities may adopt HOD from 2009 on (diffusion of governance models; the "
    "coefficients are assumptions, see docs/population.md).": (
        "Danmarks 98 kommuner som i denmark.yaml (5 HOD, 2 modelkommuner, 91 BUM), og "
        "BUM-kommuner kan skifte til HOD fra 2009 (spredning af styringsmodeller; "
        "koefficienterne er antagelser, se docs/population.md)."
    ),
    # outputs (sim/outputs.py: labels, short labels, units, scales)
    "Administrative overhead": "Administrativt overhead",
    "Citizen satisfaction": "Borgertilfredshed",
    "Political expectation": "Politisk forventning",
    "Employee wellbeing": "Medarbejdertrivsel",
    "Sick leave": "Sygefravær",
    "Tendered share": "Udbudsandel",
    "In-house share": "Egenandel",
    "Proposals made": "Fremsatte forslag",
    "Proposals implemented": "Gennemførte forslag",
    "Trust: employees and management": "Tillid: medarbejdere og ledelse",
    "employees–management": "medarbejdere–ledelse",
    "orderer–provider": "bestiller–udfører",
    "politicians–admin.": "politikere–administration",
    "Administrative cost": "Administrationsomkostning",
    "Savings": "Besparelser",
    "Tenders held": "Gennemførte udbud",
    "Budget": "Budget",
    "Citizen satisfaction vs political expectation": ("Borgertilfredshed mod politisk forventning"),
    "In-house vs tendered share": "Egenandel mod udbudsandel",
    "share of total cost": "andel af samlede omkostninger",
    "% of total cost": "% af samlede omkostninger",
    "satisfaction": "tilfredshed",
    "wellbeing": "trivsel",
    "share of working time": "andel af arbejdstiden",
    "% of working time": "% af arbejdstiden",
    "% of task volume": "% af opgavemængden",
    "proposals/yr": "forslag/år",
    "trust": "tillid",
    "DKK/yr": "kr./år",
    "bids/yr": "bud/år",
    "tenders/yr": "udbud/år",
    "1–7 scale": "skala 1–7",
    "0–1": "0–1",
    # the exercises (sim/app/exercises.py: title, question, steps, observation)
    "Raise the tender share under BUM and watch the overhead": (
        "Hæv udbudsandelen under BUM, og se på overheadet"
    ),
    "Does putting more work out to tender make the purchaser–provider split cheaper to "
    "run?": "Bliver bestiller–udfører-modellen billigere at drive, når mere arbejde udbydes?",
    "App: *Info* → *Load exercise 1* (Model A = BUM with *Tendering: share* 0.15, Model B = "
    "BUM with 0.45, mean of 8 seeds). Play to the end; compare the overhead plot and the "
    "*Tenders held* monitor, and read a year's tenders in *What happened*.": (
        "App: *Info* → *Indlæs øvelse 1* (Model A = BUM med *Udbud: andel* 0,15, Model B = BUM "
        "med 0,45, gennemsnit af 8 seeds). Afspil til slutningen; sammenlign grafen over "
        "overhead og måleren *Gennemførte udbud*, og læs et års udbud under *Hvad skete der*."
    ),
    "With a higher tender share BUM holds more tenders a year and its administrative "
    "overhead is higher.": (
        "Med en højere udbudsandel gennemfører BUM flere udbud om året, og det administrative "
        "overhead er højere."
    ),
    "Switch BUM → HOD in 2011 and watch trust": "Skift fra BUM til HOD i 2011, og se på tilliden",
    "What happens to trust between employees and management when the split is dropped?": (
        "Hvad sker der med tilliden mellem medarbejdere og ledelse, når opdelingen i bestiller "
        "og udfører opgives?"
    ),
    "App: *Info* → *Load exercise 2* (Model A = BUM, Model B = *BUM → HOD in April 2011*, "
    "mean of 8 seeds). Step quarter by quarter through 2011 (B's rules panel changes in 2011 "
    "Q2 and a dashed line marks the switch on every plot), then Play. CLI: `govsim compare "
    "--scenarios bum --scenarios bum_to_hod`.": (
        "App: *Info* → *Indlæs øvelse 2* (Model A = BUM, Model B = *BUM → HOD i april 2011*, "
        "gennemsnit af 8 seeds). Gå kvartal for kvartal gennem 2011 (B's regler skifter i 2011 "
        "K2, og en stiplet linje markerer skiftet på alle grafer), og tryk så Afspil. "
        "Kommandolinje: `govsim compare --scenarios bum --scenarios bum_to_hod`."
    ),
    "Under BUM trust falls year by year; after the switch to HOD it recovers, so by 2013 it "
    "is higher than under BUM throughout, and the administrative overhead is lower from 2013 "
    "on.": (
        "Under BUM falder tilliden år for år; efter skiftet til HOD kommer den sig, så den i "
        "2013 er højere end under BUM hele vejen, og det administrative overhead er lavere fra "
        "2013."
    ),
    "Remove the no-tendering guarantee from the model municipality": (
        "Fjern garantien mod udbud i modelkommunen"
    ),
    "Is the promise not to tender what makes employees propose improvements?": (
        "Er det løftet om ikke at udbyde, der får medarbejderne til at foreslå forbedringer?"
    ),
    "App: *Info* → *Load exercise 3* (Model A = *Model municipality (modelkommune)*, Model B "
    "= *Model municipality, 25 % tendered*: the same rules with the guarantee replaced by 25 % "
    "tendering; mean of 8 seeds). Play and compare the proposals and trust plots.": (
        "App: *Info* → *Indlæs øvelse 3* (Model A = *Modelkommune*, Model B = *Modelkommune med "
        "25 % udbud*: de samme regler, hvor garantien er erstattet af 25 % udbud; gennemsnit af "
        "8 seeds). Afspil, og sammenlign graferne over forslag og tillid."
    ),
    "Without the guarantee employees make and see implemented fewer proposals, and trust and "
    "wellbeing are lower.": (
        "Uden garantien fremsætter medarbejderne færre forslag og ser færre gennemført, og "
        "tillid og trivsel er lavere."
    ),
    "Watch the bureaucracy grow": "Se bureaukratiet vokse",
    "Why does BUM get more expensive to administer over time, and HOD not?": (
        "Hvorfor bliver BUM dyrere at administrere med tiden, og HOD ikke?"
    ),
    "App: *Info* → *Load exercise 4* (Model A = BUM, Model B = HOD, mean of 8 seeds). Play to "
    "the end and compare the overhead plot; read the *Bureaucratic drift* rule in A's rules "
    "panel. Try A's *Bureaucratic drift: growth* = 0.": (
        "App: *Info* → *Indlæs øvelse 4* (Model A = BUM, Model B = HOD, gennemsnit af 8 seeds). "
        "Afspil til slutningen, og sammenlign grafen over overhead; læs reglen *Bureaukratisk "
        "vækst* blandt A's regler. Prøv A's *Bureaukratisk vækst: vækst* = 0."
    ),
    "BUM's overhead grows from the first years to the last (procedures accumulate); HOD's "
    "stays lower than BUM's and grows less.": (
        "BUM's overhead vokser fra de første år til de sidste (procedurerne hober sig op); "
        "HOD's forbliver lavere end BUM's og vokser mindre."
    ),
    "Learning teams react to a gap": "Læringsteams reagerer på et gab",
    "What makes HOD's learning teams form?": "Hvad får læringsteams i HOD til at opstå?",
    "App: *Info* → *Load exercise 5* (Model A = HOD with *Politics: expectation mean* 0.62, "
    "Model B = HOD with 0.74, both with *Learning teams: max teams* 8 so that the unit's "
    "capacity does not cap the count; mean of 8 seeds). Play; compare the *Learning teams* "
    "monitor, the areas marked LT on the map and the teams in *What happened*.": (
        "App: *Info* → *Indlæs øvelse 5* (Model A = HOD med *Politik: gennemsnitlig "
        "forventning* 0,62, Model B = HOD med 0,74, begge med *Læringsteams: højst antal teams* "
        "8, så enhedens kapacitet ikke sætter loft over antallet; gennemsnit af 8 seeds). "
        "Afspil; sammenlign måleren *Læringsteams*, områderne mærket LT på kortet og teamene "
        "under *Hvad skete der*."
    ),
    "When politicians expect more, more areas fall below expectation and more learning teams "
    "are formed per year.": (
        "Når politikerne forventer mere, falder flere områder under forventningen, og der "
        "dannes flere læringsteams om året."
    ),
    "Trust takes years to pay off in the model municipality": (
        "Tillid tager år om at betale sig i modelkommunen"
    ),
    "Why did the Norwegian model municipalities need a long trial period?": (
        "Hvorfor havde de norske modelkommuner brug for en lang forsøgsperiode?"
    ),
    "App: *Info* → *Load exercise 6* (Model A = *Model municipality (modelkommune)*, Model B "
    "= BUM, mean of 8 seeds). Play and follow trust, proposals implemented and the *Savings* "
    "monitor year by year.": (
        "App: *Info* → *Indlæs øvelse 6* (Model A = *Modelkommune*, Model B = BUM, gennemsnit "
        "af 8 seeds). Afspil, og følg tilliden, de gennemførte forslag og måleren "
        "*Besparelser* år for år."
    ),
    "In the model municipality trust, implemented proposals and savings are all higher in "
    "years 9–11 than in years 1–3.": (
        "I modelkommunen er tillid, gennemførte forslag og besparelser alle højere i år 9–11 "
        "end i år 1–3."
    ),
}


def t(key: str, lang: str = "en", **fields: object) -> str:
    """The page's own text `key` in `lang`, with `fields` filled in."""
    en, da = UI[key]
    text = da if lang == "da" else en
    return text.format(**fields) if fields else text


def num(x: float, lang: str = "en", decimals: int | None = None) -> str:
    """A number as `lang` writes it: English 1,234.56, Danish 1.234,56 (a decimal comma and a
    full stop between thousands). `decimals` fixed, else three significant digits (whole
    numbers from 1,000 on)."""
    x = float(x)
    if decimals is not None:
        s = f"{x:,.{decimals}f}"
    elif abs(x) >= 1000:
        s = f"{x:,.0f}"
    else:
        s = f"{x:.3g}"
        if "e" in s:  # below 0.001: no exponent on a student's screen
            s = f"{x:.4f}".rstrip("0").rstrip(".") or "0"
    if s in ("-0", "-0.0") or s.strip("-0.,") == "":
        s = s.lstrip("-")
    return s.translate(_DA_SEPARATORS) if lang == "da" else s


_DA_SEPARATORS = str.maketrans({",": ".", ".": ","})


def decimals_for(values, sig: int = 3) -> int:
    """How many decimals show the largest of `values` to `sig` significant digits (0 when
    all are whole numbers), so a row of a table has one number format."""
    import math

    vals = [abs(float(v)) for v in values if v is not None]
    if not vals or all(float(v).is_integer() for v in vals):
        return 0
    top = max(vals)
    return max(0, min(4, sig - 1 - math.floor(math.log10(top)))) if top > 0 else 0


def pct(x: float, lang: str = "en", decimals: int = 1) -> str:
    """A percentage (`x` already in %): "12.3%", Danish "12,3 %"."""
    return num(x, lang, decimals) + (" %" if lang == "da" else "%")


_CITATION = re.compile(r"\s*\((?:seeds?|kilder?|sources?)\s+\d{3}[^)]*\)")
_SEED_DOC = re.compile(r"\bseed(s?) (\d{3})")
_CODE = re.compile(r"`([^`]+)`")
_IDENT = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")


def plain(text: str, lang: str = "en") -> str:
    """A registry text (already in `lang`) for students: without the modellers' source
    citations ("(seeds 000, 001)" names the project's source documents, not random seeds)
    and without code names (`share` → share, involvement_reference → involvement reference,
    in `lang`)."""
    text = _CITATION.sub("", text)
    text = _SEED_DOC.sub(r"source\1 \2", text)
    text = _CODE.sub(r"\1", text)
    return _IDENT.sub(lambda m: tr(m.group(0).replace("_", " "), lang), text)


def tr(text: str, lang: str = "en") -> str:
    """A registry's English `text` in `lang` (English when no translation is known)."""
    if lang != "da" or not text:
        return text
    return DA.get(text, DA.get(" ".join(text.split()), text))


def registry_texts() -> set[str]:
    """Every registry text the page can show (checked by tests/test_app.py to have a Danish
    entry): preset display names and descriptions, rule titles and explanations, the output
    labels and units of the tables and plots, the sliders' names, units and descriptions,
    and the exercises."""
    from sim import outputs
    from sim.app import plots
    from sim.app.exercises import EXERCISES
    from sim.app.state import TEACHING_VARIANTS, configure, key_sliders, param_parts
    from sim.rules import RULES
    from sim.scenario import preset_names

    out: set[str] = set()
    for ref in [*preset_names(), *TEACHING_VARIANTS]:
        (sc,) = configure([ref], {})
        out |= {sc.title, " ".join(sc.description.split())}
    for cls in RULES.values():
        out |= {cls.title, cls.explanation}
    for view in ("latest", "monitor"):
        for c in outputs.listed(view):
            o = outputs.output(c)
            out |= {o.label, o.unit}
    for spec in plots.PLOTS:
        out |= {spec.title, spec.unit} | {s.name for s in spec.series}
    for s in key_sliders():
        out |= {*param_parts(s.name), s.unit, s.doc}
    for ex in EXERCISES:
        out |= {ex.title, ex.question, ex.steps, ex.observation}
    out |= _national_texts()
    return {x for x in out if x}


def _national_texts() -> set[str]:
    """The national view's registry texts: its lines' labels and units, the tiles' outcomes,
    the shipped populations' descriptions."""
    from sim import outputs
    from sim.app.national import NATIONAL_LINES, TILE_OUTCOMES, national_choices, population_info

    out: set[str] = set()
    for key, table, col in NATIONAL_LINES:
        o = outputs.output(col, table)
        out |= {o.unit, outputs.axis_unit(col, table, percent=o.percent)}
        if key != "models":  # the models plot has a title of its own (UI "nat.plot.models")
            out.add(o.label)
    for col in TILE_OUTCOMES:
        out |= {outputs.short_label(col), outputs.label(col, unit=False)}
    out |= {population_info(name)[0] for name in national_choices()}
    return out
