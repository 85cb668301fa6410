"""A generated corpus for benchmarks and load tests: realistic in shape, invented in content.

English and French articles (about 60/40) about foreign military partners in Africa, built from
sentence templates filled with names, numbers and dates over 2015-2025. The shape follows real
news: a few actor-partner pairs get most of the coverage (Zipf), copies of a story are
republished under other URLs, some are lightly edited, and some articles are off topic.

Records are plain dicts, the shape of a JSON Lines seed record. ``documents`` turns them into
``pipeline.Document`` through the seed reader's own record path, so generated input meets the
same validation as real input. Everything is drawn from one ``random.Random(seed)``: the same
seed gives the same corpus, byte for byte.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from itertools import islice
from pathlib import Path
from xml.sax.saxutils import escape

import sqlite_utils

from ingest import pipeline, seeds, store

FIRST_DAY = datetime(2015, 1, 1, tzinfo=UTC)
LAST_DAY = datetime(2025, 12, 31, tzinfo=UTC)

# Per language: name (as a sentence subject), "of" form, troops (plural noun phrase),
# adjective (English) and auxiliary (French "a"/"ont", for agreement with plural names).
ACTORS: dict[str, dict[str, dict[str, str]]] = {
    "Russia": {
        "en": {"name": "Russia", "troops": "Russian troops", "adj": "Russian"},
        "fr": {"name": "la Russie", "de": "de la Russie", "troops": "soldats russes", "aux": "a"},
    },
    "Wagner Group": {
        "en": {"name": "the Wagner Group", "troops": "Wagner fighters", "adj": "Wagner"},
        "fr": {"name": "le groupe Wagner", "de": "du groupe Wagner",
               "troops": "mercenaires du groupe Wagner", "aux": "a"},
    },
    "Africa Corps": {
        "en": {"name": "the Africa Corps", "troops": "Africa Corps fighters",
               "adj": "Africa Corps"},
        "fr": {"name": "l'Africa Corps", "de": "de l'Africa Corps",
               "troops": "combattants de l'Africa Corps", "aux": "a"},
    },
    "France": {
        "en": {"name": "France", "troops": "French soldiers", "adj": "French"},
        "fr": {"name": "la France", "de": "de la France", "troops": "soldats français",
               "aux": "a"},
    },
    "United States": {
        "en": {"name": "the United States", "troops": "American troops", "adj": "American"},
        "fr": {"name": "les États-Unis", "de": "des États-Unis", "troops": "militaires américains",
               "aux": "ont"},
    },
    "China": {
        "en": {"name": "China", "troops": "Chinese soldiers", "adj": "Chinese"},
        "fr": {"name": "la Chine", "de": "de la Chine", "troops": "soldats chinois", "aux": "a"},
    },
    "Turkey": {
        "en": {"name": "Turkey", "troops": "Turkish troops", "adj": "Turkish"},
        "fr": {"name": "la Turquie", "de": "de la Turquie", "troops": "militaires turcs",
               "aux": "a"},
    },
    "United Arab Emirates": {
        "en": {"name": "the United Arab Emirates", "troops": "Emirati personnel",
               "adj": "Emirati"},
        "fr": {"name": "les Émirats arabes unis", "de": "des Émirats arabes unis",
               "troops": "militaires émiratis", "aux": "ont"},
    },
    "United Kingdom": {
        "en": {"name": "the United Kingdom", "troops": "British troops", "adj": "British"},
        "fr": {"name": "le Royaume-Uni", "de": "du Royaume-Uni", "troops": "soldats britanniques",
               "aux": "a"},
    },
    "Germany": {
        "en": {"name": "Germany", "troops": "German soldiers", "adj": "German"},
        "fr": {"name": "l'Allemagne", "de": "de l'Allemagne", "troops": "soldats allemands",
               "aux": "a"},
    },
}

# Per partner: English name, French name / locative / "of" form, the army in each language,
# the capital and a few towns where things happen. French place names follow in PLACES_FR.
PARTNERS: dict[str, dict] = {
    "Mali": {"en": "Mali", "army": "the Malian army", "fr": ("le Mali", "au Mali", "du Mali"),
             "armee": "l'armée malienne", "capital": "Bamako",
             "places": ["Gao", "Timbuktu", "Kidal", "Ménaka", "Mopti", "Sévaré"]},
    "Central African Republic": {
        "en": "the Central African Republic", "army": "the Central African army",
        "fr": ("la Centrafrique", "en Centrafrique", "de la Centrafrique"),
        "armee": "l'armée centrafricaine", "capital": "Bangui", "places": ["Bambari", "Bria"]},
    "Burkina Faso": {"en": "Burkina Faso", "army": "the Burkinabe army",
                     "fr": ("le Burkina Faso", "au Burkina Faso", "du Burkina Faso"),
                     "armee": "l'armée burkinabè", "capital": "Ouagadougou",
                     "places": ["Djibo", "Dori"]},
    "Niger": {"en": "Niger", "army": "the Nigerien army",
              "fr": ("le Niger", "au Niger", "du Niger"), "armee": "l'armée nigérienne",
              "capital": "Niamey",
              "places": ["Agadez", "Diffa", "Tillabéri"]},
    "Chad": {"en": "Chad", "army": "the Chadian army", "fr": ("le Tchad", "au Tchad", "du Tchad"),
             "armee": "l'armée tchadienne", "capital": "N'Djamena",
             "places": ["Abéché", "Faya-Largeau"]},
    "Sudan": {"en": "Sudan", "army": "the Sudanese army",
              "fr": ("le Soudan", "au Soudan", "du Soudan"), "armee": "l'armée soudanaise",
              "capital": "Khartoum", "places": ["Port Sudan", "El Fasher"]},
    "Libya": {"en": "Libya", "army": "Libyan forces", "fr": ("la Libye", "en Libye", "de la Libye"),
              "armee": "les forces libyennes", "capital": "Tripoli",
              "places": ["Benghazi", "Sirte", "Jufra"]},
    "Mozambique": {"en": "Mozambique", "army": "the Mozambican army",
                   "fr": ("le Mozambique", "au Mozambique", "du Mozambique"),
                   "armee": "l'armée mozambicaine", "capital": "Maputo", "places": ["Pemba"]},
    "Somalia": {"en": "Somalia", "army": "the Somali army",
                "fr": ("la Somalie", "en Somalie", "de la Somalie"),
                "armee": "l'armée somalienne", "capital": "Mogadishu", "places": ["Kismayo"]},
    "Djibouti": {"en": "Djibouti", "army": "the Djiboutian army",
                 "fr": ("Djibouti", "à Djibouti", "de Djibouti"), "armee": "l'armée djiboutienne",
                 "capital": "Djibouti City", "places": ["Djibouti City"]},
    "Côte d'Ivoire": {"en": "Côte d'Ivoire", "army": "the Ivorian army",
                      "fr": ("la Côte d'Ivoire", "en Côte d'Ivoire", "de la Côte d'Ivoire"),
                      "armee": "l'armée ivoirienne", "capital": "Abidjan",
                      "places": ["Port-Bouët"]},
    "Senegal": {"en": "Senegal", "army": "the Senegalese army",
                "fr": ("le Sénégal", "au Sénégal", "du Sénégal"), "armee": "l'armée sénégalaise",
                "capital": "Dakar", "places": ["Dakar"]},
    "Kenya": {"en": "Kenya", "army": "the Kenyan army", "fr": ("le Kenya", "au Kenya", "du Kenya"),
              "armee": "l'armée kényane", "capital": "Nairobi", "places": ["Manda Bay"]},
    "Nigeria": {"en": "Nigeria", "army": "the Nigerian army",
                "fr": ("le Nigeria", "au Nigeria", "du Nigeria"), "armee": "l'armée nigériane",
                "capital": "Abuja", "places": ["Maiduguri"]},
}
PLACES_FR = {"Timbuktu": "Tombouctou", "Mogadishu": "Mogadiscio", "Port Sudan": "Port-Soudan",
             "Djibouti City": "Djibouti-ville"}

# Actor-partner pairs in order of how much they are written about, with the years the story
# runs. Weights fall as 1/rank^1.1, so the first few pairs dominate as in real coverage.
PAIRS: list[tuple[str, str, int, int]] = [
    ("Russia", "Mali", 2019, 2025), ("Wagner Group", "Central African Republic", 2018, 2025),
    ("France", "Mali", 2015, 2022), ("Wagner Group", "Mali", 2021, 2024),
    ("Russia", "Central African Republic", 2017, 2025), ("France", "Niger", 2015, 2023),
    ("Africa Corps", "Mali", 2024, 2025), ("United States", "Niger", 2015, 2024),
    ("Turkey", "Libya", 2019, 2025), ("France", "Chad", 2015, 2025),
    ("Russia", "Burkina Faso", 2022, 2025), ("Wagner Group", "Libya", 2019, 2025),
    ("China", "Djibouti", 2015, 2025), ("United Arab Emirates", "Sudan", 2019, 2025),
    ("Wagner Group", "Sudan", 2017, 2024), ("Africa Corps", "Burkina Faso", 2024, 2025),
    ("Africa Corps", "Niger", 2024, 2025), ("France", "Burkina Faso", 2015, 2023),
    ("United States", "Somalia", 2015, 2025), ("Turkey", "Somalia", 2015, 2025),
    ("United Arab Emirates", "Libya", 2015, 2025), ("Russia", "Sudan", 2017, 2025),
    ("France", "Côte d'Ivoire", 2015, 2025), ("United States", "Djibouti", 2015, 2025),
    ("France", "Djibouti", 2015, 2025), ("Wagner Group", "Mozambique", 2019, 2020),
    ("France", "Senegal", 2015, 2025), ("Russia", "Niger", 2023, 2025),
    ("Turkey", "Niger", 2020, 2025), ("United States", "Kenya", 2015, 2025),
    ("Russia", "Chad", 2023, 2025), ("China", "Sudan", 2015, 2025),
    ("United Kingdom", "Kenya", 2015, 2025), ("Germany", "Niger", 2015, 2024),
    ("United States", "Chad", 2015, 2025), ("Germany", "Mali", 2015, 2023),
    ("United Kingdom", "Mali", 2020, 2022), ("United States", "Nigeria", 2015, 2025),
    ("Turkey", "Burkina Faso", 2022, 2025), ("China", "Nigeria", 2015, 2025),
]
PAIR_WEIGHTS = [1 / (rank + 1) ** 1.1 for rank in range(len(PAIRS))]
PMC = {"Wagner Group", "Africa Corps"}

# (name, domain, language); weighted like the pairs, so a few outlets carry most stories.
OUTLETS = [
    ("Sahel Monitor", "sahel-monitor.example", "en"),
    ("Le Courrier du Sahel", "courrier-sahel.example", "fr"),
    ("Pan-African Wire", "panafrican-wire.example", "en"),
    ("Afrique Défense Hebdo", "afrique-defense.example", "fr"),
    ("Continental Defence Review", "defence-review.example", "en"),
    ("L'Observateur des Savanes", "observateur-savanes.example", "fr"),
    ("Horn Observer", "horn-observer.example", "en"),
    ("Global Security Daily", "gsd.example", "en"),
    ("Sahel Info Express", "sahel-info.example", "fr"),
    ("Great Lakes Ledger", "lakes-ledger.example", "en"),
]
OUTLETS_BY_LANG = {lang: [o for o in OUTLETS if o[2] == lang] for lang in ("en", "fr")}
OUTLET_WEIGHTS = {lang: [1 / (rank + 1) for rank in range(len(outlets))]
                  for lang, outlets in OUTLETS_BY_LANG.items()}

MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre"],
}
PERSONNEL = [60, 80, 100, 120, 150, 200, 250, 300, 400, 450, 500, 600, 800, 1000, 1200, 1500,
             2000, 2500, 3000, 5100]
VAGUE = {"en": ["several hundred", "about a thousand", "a few dozen", "hundreds of"],
         "fr": ["plusieurs centaines de", "environ un millier de", "quelques dizaines de",
                "des centaines de"]}
EQUIPMENT = {
    "en": ["Mi-17 helicopters", "armoured vehicles", "combat drones", "L-39 jets",
           "patrol boats", "Bayraktar TB2 drones", "transport aircraft", "artillery pieces"],
    "fr": ["hélicoptères Mi-17", "véhicules blindés", "drones de combat", "avions L-39",
           "patrouilleurs", "drones Bayraktar TB2", "avions de transport", "pièces d'artillerie"],
}
OFFICIALS = {
    "en": ["defence minister", "foreign minister", "army chief of staff", "prime minister"],
    "fr": ["ministre de la Défense", "ministre des Affaires étrangères", "chef d'état-major",
           "Premier ministre"],
}
SOURCES = {
    "en": ["officials said", "a military source said", "diplomats said", "local media reported",
           "the ministry said in a statement"],
    "fr": ["selon des responsables", "selon une source militaire", "selon des diplomates",
           "selon la presse locale", "indique le ministère dans un communiqué"],
}

# Sentence templates by event. Slots: {A} actor, {Ade} actor "of" form (fr), {aux} (fr),
# {troops}, {adj} (en), {P} partner, {Pin} partner locative (fr), {Pde} partner "of" (fr),
# {army}, {cap} capital, {place}, {n} personnel, {k} a small count, {equip}, {official},
# {date} the event date, {year} an earlier year, {src} attribution, {other} another actor.
EVENTS: dict[str, dict[str, list[str]]] = {
    "deploy": {
        "en": ["{A} has deployed {n} {troops} to {P}, {src}.",
               "{n} {troops} arrived in {place} on {date} to support {army}.",
               "A contingent of {n} {troops} landed at {cap} airport on {date}.",
               "The {troops} will be based near {place}, according to the {official}."],
        "fr": ["{A} {aux} déployé {n} {troops} {Pin}, {src}.",
               "{n} {troops} sont arrivés à {place} le {date} pour appuyer {army}.",
               "Un contingent de {n} {troops} a atterri à l'aéroport de {cap} le {date}.",
               "Les {troops} seront stationnés près de {place}, selon le {official}."],
    },
    "withdraw": {
        "en": ["The last {troops} left {place} on {date}, ending a deployment begun in {year}.",
               "{A} said it would withdraw {n} soldiers from {P} within six months.",
               "{A} completed the withdrawal of {n} {troops} from {P} on {date}, {src}."],
        "fr": ["Les derniers {troops} ont quitté {place} le {date}, après une présence entamée"
               " en {year}.",
               "{A} {aux} annoncé le retrait de {n} soldats {Pde} d'ici six mois.",
               "{A} {aux} achevé le retrait de {n} {troops} {Pde} le {date}, {src}."],
    },
    "base": {
        "en": ["{A} has opened a military base near {place}, the first of its kind in {P}.",
               "The base at {place} was handed over to {army} on {date}.",
               "{A} is building a logistics hub in {P} that could host {n} personnel.",
               "{A} closed its base in {place} on {date}, {src}."],
        "fr": ["{A} {aux} ouvert une base militaire près de {place}, une première {Pin}.",
               "La base de {place} a été remise à {army} le {date}.",
               "{A} construit {Pin} une plateforme logistique pouvant accueillir {n} militaires.",
               "{A} {aux} fermé sa base de {place} le {date}, {src}."],
    },
    "agreement": {
        "en": ["{P} and {A} signed a military cooperation agreement in {cap} on {date}.",
               "The defence pact, signed by the {official}, covers training and intelligence"
               " sharing.",
               "Under the agreement, {A} will provide military advisers to {army}."],
        "fr": ["{P} et {A} ont signé un accord de coopération militaire à {cap} le {date}.",
               "L'accord de défense, signé par le {official}, porte sur la formation et le"
               " renseignement.",
               "Aux termes de l'accord, {A} fournira des conseillers militaires à {army}."],
    },
    "arms": {
        "en": ["{P} took delivery of {k} {equip} from {A} on {date}.",
               "The {equip} were handed over in {cap} at a ceremony attended by the {official}.",
               "{A} agreed to sell {k} {equip} to {P}, {src}."],
        "fr": ["{P} a réceptionné {k} {equip} livrés par {A} le {date}.",
               "Les {equip} ont été remis à {cap} lors d'une cérémonie en présence du {official}.",
               "{A} {aux} accepté de vendre {k} {equip} {Pde}, {src}."],
    },
    "training": {
        "en": ["{adj} instructors are training {army} in counter-insurgency near {place}.",
               "{n} soldiers of {army} completed a course run by {adj} instructors on {date}."],
        "fr": ["Des instructeurs {Ade} forment {army} à la contre-insurrection près de {place}.",
               "{n} soldats de {army} ont achevé une formation dispensée par {A} le {date}."],
    },
    "pmc": {
        "en": ["Fighters of {A} have been seen guarding gold mines around {place}.",
               "{A} now has {n} men in {P}, {src}.",
               "Witnesses say {A} mercenaries took part in an operation near {place} on {date}."],
        "fr": ["Des combattants {Ade} ont été vus autour des mines d'or de {place}.",
               "{A} compte désormais {n} hommes {Pin}, {src}.",
               "Selon des témoins, des mercenaires {Ade} ont participé à une opération près de"
               " {place} le {date}."],
    },
    "diplomacy": {
        "en": ["The {official} of {P} met {adj} officials in {cap} on {date}.",
               "{A} will host a summit with leaders from {P} and its neighbours next month."],
        "fr": ["Le {official} {Pde} a reçu une délégation {Ade} à {cap} le {date}.",
               "{A} accueillera le mois prochain un sommet avec les dirigeants {Pde}."],
    },
    "economic": {
        "en": ["{adj} firms won a mining concession near {place} worth about {k}0 million"
               " dollars.",
               "{A} granted {P} a loan of {k}0 million dollars for roads and power plants."],
        "fr": ["Des entreprises liées à {A} ont obtenu une concession minière près de {place}.",
               "{A} {aux} accordé {Pin} un prêt de {k}0 millions de dollars pour des"
               " infrastructures."],
    },
    "information": {
        "en": ["Researchers traced a network of social media accounts promoting {A} in {P}.",
               "A disinformation campaign targeting {other} in {P} was linked to {A}, {src}."],
        "fr": ["Des chercheurs ont identifié un réseau de comptes faisant la promotion {Ade}"
               " {Pin}.",
               "Une campagne de désinformation visant {other} {Pin} a été attribuée à {A}."],
    },
    "incident": {
        "en": ["At least {k} soldiers were killed in an attack near {place} on {date}.",
               "An ambush on a convoy escorted by {troops} near {place} left {k} dead."],
        "fr": ["Au moins {k} soldats ont été tués dans une attaque près de {place} le {date}.",
               "Une embuscade contre un convoi escorté par des {troops} a fait {k} morts près de"
               " {place}."],
    },
    "denial": {
        "en": ["{A} denied having any troops in {P}, calling the reports false.",
               "The {official} of {P} rejected claims that {troops} were operating in the"
               " country."],
        "fr": ["{A} {aux} démenti toute présence militaire {Pin}, qualifiant ces informations"
               " de fausses.",
               "Le {official} {Pde} a rejeté les affirmations selon lesquelles des {troops}"
               " opéreraient dans le pays."],
    },
    "hedged": {
        "en": ["{A} may send more troops to {P}, according to unconfirmed reports.",
               "{troops} were reportedly seen near {place}, though this could not be verified."],
        "fr": ["{A} pourrait envoyer davantage de soldats {Pin}, selon des informations non"
               " confirmées.",
               "Des {troops} auraient été aperçus près de {place}, sans confirmation"
               " indépendante."],
    },
}
EVENT_WEIGHTS = {"deploy": 14, "withdraw": 8, "base": 6, "agreement": 12, "arms": 8,
                 "training": 8, "pmc": 10, "diplomacy": 10, "economic": 5, "information": 5,
                 "incident": 8, "denial": 3, "hedged": 3}
TITLES: dict[str, dict[str, list[str]]] = {
    "deploy": {"en": ["{A} sends {n} troops to {P}", "More {troops} arrive in {P}"],
               "fr": ["{A} envoie {n} {troops} {Pin}", "Nouveaux renforts {Ade} {Pin}"]},
    "withdraw": {"en": ["{A} pulls its troops out of {P}", "Last {troops} leave {place}"],
                 "fr": ["{A} retire ses troupes {Pde}", "Les derniers {troops} quittent {place}"]},
    "base": {"en": ["{A} opens base in {P}", "Handover of the {place} base"],
             "fr": ["{A} ouvre une base {Pin}", "Passation de la base de {place}"]},
    "agreement": {"en": ["{P} and {A} sign defence pact", "{A} and {P} deepen security ties"],
                  "fr": ["{P} et {A} signent un accord de défense",
                         "Coopération militaire : {P} se rapproche {Ade}"]},
    "arms": {"en": ["{P} receives {equip} from {A}", "New {equip} for {army}"],
             "fr": ["{P} reçoit des {equip}", "Livraison de {equip} {Pin}"]},
    "training": {"en": ["{adj} instructors train {army}"],
                 "fr": ["Des instructeurs {Ade} forment {army}"]},
    "pmc": {"en": ["{A} expands its footprint in {P}", "Mercenaries near {place}"],
            "fr": ["{A} renforce sa présence {Pin}", "Des mercenaires près de {place}"]},
    "diplomacy": {"en": ["{P} courts {A}", "{official} of {P} meets {adj} delegation"],
                  "fr": ["{P} se tourne vers {A}", "Visite d'une délégation {Ade} à {cap}"]},
    "economic": {"en": ["{adj} money flows into {P}"], "fr": ["Les capitaux {Ade} affluent {Pin}"]},
    "information": {"en": ["Online campaign in {P} traced to {A}"],
                    "fr": ["Une campagne en ligne {Pin} attribuée à {A}"]},
    "incident": {"en": ["Deadly attack near {place}", "{k} soldiers killed in {P}"],
                 "fr": ["Attaque meurtrière près de {place}", "{k} soldats tués {Pin}"]},
    "denial": {"en": ["{A} denies deploying troops to {P}"],
               "fr": ["{A} dément tout déploiement {Pin}"]},
    "hedged": {"en": ["Reports of {troops} in {P}"], "fr": ["Des {troops} signalés {Pin} ?"]},
}
BACKGROUND = {
    "en": ["{P} has been fighting armed groups since {year}.",
           "{other} had withdrawn its last soldiers from {P} in {year}.",
           "Relations between {P} and {other} have cooled since {year}.",
           "{P} first asked {A} for help in {year}, diplomats recall."],
    "fr": ["{P} combat des groupes armés depuis {year}.",
           "Les derniers soldats {ode} avaient quitté {P} en {year}.",
           "Les relations entre {P} et {other} se sont dégradées depuis {year}.",
           "{P} avait sollicité l'aide {Ade} dès {year}, rappellent des diplomates."],
}
FILLER = {
    "en": ["Analysts say the move reflects a wider shift in the region's security partnerships.",
           "The government did not respond to a request for comment.",
           "Residents said the situation in the area remained tense.",
           "Observers expect further announcements in the coming weeks.",
           "Opposition figures criticised the lack of transparency surrounding the deal.",
           "Humanitarian groups warned that civilians continue to bear the brunt of the violence.",
           "The statement gave no further details.",
           "Several diplomats said privately that they had been surprised by the timing.",
           "Food prices have risen sharply in recent months.",
           "The question is expected to come up at the next regional summit."],
    "fr": ["Pour les analystes, cette décision illustre une recomposition des partenariats"
           " sécuritaires dans la région.",
           "Le gouvernement n'a pas répondu à nos sollicitations.",
           "Selon des habitants, la situation reste tendue dans la zone.",
           "D'autres annonces sont attendues dans les prochaines semaines.",
           "L'opposition dénonce le manque de transparence entourant cet accord.",
           "Les organisations humanitaires rappellent que les civils restent les premières"
           " victimes des violences.",
           "Le communiqué ne donne pas davantage de détails.",
           "Plusieurs diplomates se disent surpris, en privé, par le calendrier.",
           "Les prix des denrées de base ont fortement augmenté ces derniers mois.",
           "La question devrait être abordée lors du prochain sommet régional."],
}
# Off-topic stories that still name countries, a composer or a capital: the tagger's negatives.
OFF_TOPIC = {
    "en": [("{P} beat {P2} in World Cup qualifier",
            ["{P} beat {P2} {g}-1 in a World Cup qualifier in {cap} on {date}.",
             "The coach praised his young squad after the match.",
             "Supporters celebrated late into the night in the streets of {cap}."]),
           ("Floods hit {place}",
            ["Heavy rains caused flooding in {place} on {date}, damaging hundreds of homes.",
             "Aid agencies distributed tents and clean water to displaced families."]),
           ("A new Ring cycle at the festival",
            ["A new production of Wagner's Ring cycle opened at the summer festival on {date}.",
             "Critics praised the orchestra but were divided over the staging."]),
           ("Mobile money booms in {P}",
            ["Mobile money transactions in {P} grew by {k}0 percent in {year}.",
             "Banks are racing to offer cheaper transfers to small traders."])],
    "fr": [("{P} bat {P2} en qualifications",
            ["{P} a battu {P2} {g}-1 en qualifications pour la Coupe du monde à {cap} le"
             " {date}.",
             "Le sélectionneur a salué la jeunesse de son équipe.",
             "Les supporters ont fêté la victoire tard dans la nuit."]),
           ("Inondations à {place}",
            ["De fortes pluies ont provoqué des inondations à {place} le {date}.",
             "Les ONG distribuent des tentes et de l'eau potable aux familles sinistrées."]),
           ("Un nouveau Ring au festival",
            ["Une nouvelle production du Ring de Wagner a ouvert le festival d'été le {date}.",
             "La critique salue l'orchestre mais reste partagée sur la mise en scène."]),
           ("L'essor du paiement mobile {Pin}",
            ["Les transactions par paiement mobile ont progressé de {k}0 % {Pin} en {year}.",
             "Les banques multiplient les offres pour séduire les petits commerçants."])],
}


def records(n: int, seed: int = 0, *, duplicates: float = 0.05, near_duplicates: float = 0.03,
            off_topic: float = 0.08, french: float = 0.4) -> Iterator[dict]:
    """``n`` article records: JSON Lines seed records (title, text, url, published, ...).

    ``duplicates`` of them republish an earlier story word for word under another URL;
    ``near_duplicates`` republish one with a sentence changed. Memory stays flat: copies are
    drawn from the last few hundred stories only.
    """
    for record, _ in stories(n, seed, duplicates=duplicates, near_duplicates=near_duplicates,
                             off_topic=off_topic, french=french):
        yield record


def stories(n: int, seed: int = 0, *, duplicates: float = 0.05, near_duplicates: float = 0.03,
            off_topic: float = 0.08, french: float = 0.4) -> Iterator[tuple[dict, int]]:
    """``records`` with the ground truth of story grouping: each record with the index of the
    record that first told its story (its own index, unless it is a copy or an edited copy)."""
    rng = random.Random(seed)
    recent: deque[tuple[dict, int]] = deque(maxlen=500)
    for index in range(n):
        roll = rng.random()
        if recent and roll < duplicates:
            original, origin = rng.choice(recent)
            record = _republish(rng, original, index)
        elif recent and roll < duplicates + near_duplicates:
            original, origin = rng.choice(recent)
            record = _edit(rng, original, index)
        else:
            lang = "fr" if rng.random() < french else "en"
            article = _off_topic if rng.random() < off_topic else _article
            record, origin = article(rng, lang, index), index
            recent.append((record, index))
        yield record, origin


def documents(rows: Iterable[dict], seed: int = 0) -> Iterator[pipeline.Document]:
    """Records as Documents, through the seed reader's record path (same validation)."""
    for number, record in enumerate(rows, start=1):
        doc = seeds._json_record(f"synth:{seed}:{number}", record, f"synth:{seed}#{number}")
        if isinstance(doc, seeds.SeedError):
            raise doc
        yield doc


def _article(rng: random.Random, lang: str, index: int) -> dict:
    actor, partner, first, last = rng.choices(PAIRS, weights=PAIR_WEIGHTS)[0]
    published = _moment(rng, first, last)
    event = _event(rng, actor)
    slots = _slots(rng, lang, actor, partner, published)
    templates = EVENTS[event][lang]
    sentences = [_fill(t, slots) for t in rng.sample(templates, min(len(templates),
                                                                      rng.randint(1, 3)))]
    if rng.random() < 0.3:  # a second event of the same partnership
        other = EVENTS[_event(rng, actor)][lang]
        sentences.append(_fill(rng.choice(other), slots))
    sentences.append(_fill(rng.choice(BACKGROUND[lang]), slots))
    sentences += rng.sample(FILLER[lang], rng.randint(2, 8))
    title = _fill(rng.choice(TITLES[event][lang]), slots)
    return _record(rng, lang, index, title, sentences, published)


def _off_topic(rng: random.Random, lang: str, index: int) -> dict:
    partner, other = rng.sample(sorted(PARTNERS), 2)
    published = _moment(rng, 2015, 2025)
    slots = _slots(rng, lang, "France", partner, published)
    slots["P2"] = _partner_name(other, lang)
    title, body = rng.choice(OFF_TOPIC[lang])
    sentences = [_fill(t, slots) for t in body] + rng.sample(FILLER[lang][-3:], 1)
    return _record(rng, lang, index, _fill(title, slots), sentences, published)


def _event(rng: random.Random, actor: str) -> str:
    while True:
        event = rng.choices(list(EVENT_WEIGHTS), weights=list(EVENT_WEIGHTS.values()))[0]
        if event == "pmc" and actor in PMC:
            return event
        if event != "pmc" and (actor not in PMC or rng.random() < 0.5):
            return event  # a private military company is mostly written about as one


def _slots(rng: random.Random, lang: str, actor: str, partner: str,
           published: datetime) -> dict[str, str]:
    names, country = ACTORS[actor][lang], PARTNERS[partner]
    other = rng.choice([a for a in ("France", "Russia", "United States", "China") if a != actor])
    place = rng.choice(country["places"])
    event_day = published - timedelta(days=rng.randint(0, 3))
    count = rng.choice(PERSONNEL)
    if rng.random() < 0.15:
        n = rng.choice(VAGUE[lang])
    elif lang == "fr":
        n = f"{count:,}".replace(",", " ")
    else:
        n = f"{count:,}"
    slots = {
        "A": names["name"], "troops": names["troops"], "P": _partner_name(partner, lang),
        "cap": country["capital"], "place": place, "n": n, "k": str(rng.randint(2, 24)),
        "equip": rng.choice(EQUIPMENT[lang]), "official": rng.choice(OFFICIALS[lang]),
        "date": _date_text(event_day, lang, rng), "year": str(rng.randint(2008, published.year)),
        "src": rng.choice(SOURCES[lang]), "other": ACTORS[other][lang]["name"],
        "g": str(rng.randint(2, 4)),
    }
    if lang == "en":
        slots.update(adj=names["adj"], army=country["army"])
    else:
        slots.update(Ade=names["de"], aux=names["aux"], ode=ACTORS[other]["fr"]["de"],
                     Pin=country["fr"][1],
                     Pde=country["fr"][2], army=country["armee"],
                     cap=PLACES_FR.get(country["capital"], country["capital"]),
                     place=PLACES_FR.get(place, place))
    return slots


def _partner_name(partner: str, lang: str) -> str:
    return PARTNERS[partner]["en"] if lang == "en" else PARTNERS[partner]["fr"][0]


def _fill(template: str, slots: dict[str, str]) -> str:
    text = template.format_map(slots)
    return text[0].upper() + text[1:]


def _moment(rng: random.Random, first: int, last: int) -> datetime:
    start = max(FIRST_DAY, datetime(first, 1, 1, tzinfo=UTC))
    end = min(LAST_DAY, datetime(last, 12, 31, tzinfo=UTC))
    return start + timedelta(seconds=rng.randrange(int((end - start).total_seconds())))


def _date_text(moment: datetime, lang: str, rng: random.Random) -> str:
    month = MONTHS[lang][moment.month - 1]
    if lang == "fr":
        return f"{'1er' if moment.day == 1 else moment.day} {month} {moment.year}"
    if rng.random() < 0.5:
        return f"{month} {moment.day}, {moment.year}"
    return f"{moment.day} {month} {moment.year}"


def _record(rng: random.Random, lang: str, index: int, title: str, sentences: list[str],
            published: datetime) -> dict:
    outlet, domain, _ = rng.choices(OUTLETS_BY_LANG[lang], weights=OUTLET_WEIGHTS[lang])[0]
    paragraphs, start = [], 0
    while start < len(sentences):
        size = rng.randint(2, 3)
        paragraphs.append(" ".join(sentences[start:start + size]))
        start += size
    return {
        "title": title, "text": "\n\n".join(paragraphs),
        "url": _url(domain, published, title, index),
        "published": published.strftime("%Y-%m-%dT%H:%M:%SZ"), "language": lang,
        "outlet": outlet,
    }


def _url(domain: str, published: datetime, title: str, index: int) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60]
    return f"https://{domain}/{published:%Y/%m/%d}/{slug}-{index}"


def _republish(rng: random.Random, original: dict, index: int) -> dict:
    """The same story word for word on another site, a day or two later."""
    lang = original["language"]
    outlet, domain, _ = rng.choice(OUTLETS_BY_LANG[lang])
    published = datetime.fromisoformat(original["published"]) + timedelta(
        hours=rng.randint(1, 48))
    return original | {
        "url": _url(domain, published, original["title"], index), "outlet": outlet,
        "published": published.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def _edit(rng: random.Random, original: dict, index: int) -> dict:
    """The same story with one sentence changed, as a wire copy edited by another desk."""
    copy = _republish(rng, original, index)
    text = copy["text"]
    last = re.split(r"(?<=[.?!])\s+", text)[-1]
    replacement = rng.choice([s for s in FILLER[original["language"]] if s not in text])
    return copy | {"text": text[: len(text) - len(last)] + replacement}


class RssWriter:
    """Write records as RSS 2.0 files, one outlet per file, ``per_file`` items each."""

    def __init__(self, folder: str | Path, per_file: int = 100) -> None:
        self.folder, self.per_file = Path(folder), per_file
        self.folder.mkdir(parents=True, exist_ok=True)
        self.pending: dict[str, list[dict]] = {}
        self.written: list[Path] = []

    def add(self, record: dict) -> dict:
        """Queue ``record`` for its outlet's file and hand it back (so it can sit in a ``map``)."""
        items = self.pending.setdefault(record["outlet"], [])
        items.append(record)
        if len(items) >= self.per_file:
            self._flush(record["outlet"])
        return record

    def close(self) -> list[Path]:
        """Write what is left and return every file written."""
        for outlet in list(self.pending):
            self._flush(outlet)
        return self.written

    def __enter__(self) -> RssWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _flush(self, outlet: str) -> None:
        items = self.pending.pop(outlet, [])
        if not items:
            return
        name, domain, lang = next(o for o in OUTLETS if o[0] == outlet)
        path = self.folder / f"{domain.split('.')[0]}-{len(self.written) + 1:05d}.xml"
        path.write_text(_rss(name, domain, lang, items), encoding="utf-8")
        self.written.append(path)


def _rss(name: str, domain: str, lang: str, items: list[dict]) -> str:
    entries = []
    for item in items:
        published = datetime.fromisoformat(item["published"])
        body = "".join(f"<p>{escape(p)}</p>" for p in item["text"].split("\n\n"))
        entries.append(
            "<item>"
            f"<title>{escape(item['title'])}</title>"
            f"<link>{escape(item['url'])}</link>"
            f"<guid isPermaLink=\"true\">{escape(item['url'])}</guid>"
            f"<pubDate>{format_datetime(published)}</pubDate>"
            f"<description>{escape(body)}</description>"
            "</item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>{escape(name)}</title><link>https://{domain}/</link>"
        f"<description>Generated test feed: invented articles</description>"
        f"<language>{lang}</language>"
        + "\n".join(entries)
        + "</channel></rss>\n"
    )


def register_source(db: sqlite_utils.Database, seed: int) -> int:
    """The corpus's source row, marked illustrative so nobody mistakes it for reporting."""
    with store.transaction(db):
        return store.ensure_source(db, kind="seeds", url=f"synth:seed={seed}",
                                   name=f"Synthetic corpus (seed {seed})", illustrative=1)


def store_all(db: sqlite_utils.Database, docs: Iterable[pipeline.Document], source_id: int, *,
              batch_size: int = 500,
              progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Store and tag ``docs`` through the real pipeline, one transaction per batch."""
    counts = dict.fromkeys(pipeline.OUTCOMES, 0)
    docs = iter(docs)
    while batch := list(islice(docs, batch_size)):
        for outcome in pipeline.store_documents(db, batch, source_id):
            counts[outcome] += 1
        if progress:
            progress(len(batch))
    return counts
