"""The tagger on real sentences: the seed, French, negatives, status, figures, bad input."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from ingest.tagger import TAGGER_VERSION, TagResult, tag
from ingest.tagger.gazetteer import countries, place_coordinates
from ingest.tagger.model import ACTIONS, STATUSES, THEMES
from ingest.tagger.personnel import figures

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_6b386ba74ace1624.txt"
SEED_METADATA = {"Article written by", "France Televisions", "Writing Africa", "Posted",
                 "Reading time : 1 min.", "source site"}


def _seed() -> TagResult:
    lines = SEED.read_text(encoding="utf-8").split("\n")
    body = "\n".join(line for line in lines[1:] if line.strip() not in SEED_METADATA)
    return tag(body, title=lines[0], published="2021-11-11")


def _dyad(result: TagResult, actor: str, partner: str):
    found = [d for d in result.dyads if (d.actor, d.partner) == (actor, partner)]
    return found[0] if found else None


def _events(result: TagResult, actor: str, country: str, action: str):
    return [p for p in result.posture if (p.actor, p.country, p.action) == (actor, country, action)]


# --- the seed -------------------------------------------------------------------------------

def test_seed_entities_and_themes() -> None:
    r = _seed()
    assert r.lang == "en" and r.untagged is None
    assert {"Russia", "Wagner Group", "France"} <= set(r.actors)
    assert {"Mali", "Central African Republic"} <= set(r.partners)
    assert {"military_cooperation", "pmc", "diplomacy", "troop_withdrawal"} <= set(r.themes)
    assert "Niger" not in r.partners  # only named as a border


def test_seed_dyads() -> None:
    r = _seed()
    russia_mali = _dyad(r, "Russia", "Mali")
    assert russia_mali is not None
    assert russia_mali.status == "reported" and "military_cooperation" in russia_mali.themes
    wagner_mali = _dyad(r, "Wagner Group", "Mali")
    if wagner_mali is not None:
        assert wagner_mali.status == "denied"
        assert "no such contract has been signed" in wagner_mali.evidence


def test_seed_posture() -> None:
    r = _seed()
    withdraw = _events(r, "France", "Mali", "withdraw")
    assert withdraw, r.posture
    event = withdraw[0]
    assert event.date.startswith("2021-06") and event.status == "reported"
    assert event.place in (None, "Kidal", "Tessalit", "Timbuktu")
    deploy = _events(r, "Wagner Group", "Central African Republic", "deploy")
    assert deploy and deploy[0].date.startswith("2018")


def test_every_tag_has_a_rule_and_a_true_span() -> None:
    r = _seed()
    lines = SEED.read_text(encoding="utf-8").split("\n")
    body = "\n".join(line for line in lines[1:] if line.strip() not in SEED_METADATA)
    fields = {"title": lines[0], "text": body}
    assert r.tags
    for t in r.tags:
        assert t.rule and 0 < t.confidence <= 1
        assert t.evidence in fields[t.field]
        if t.kind in ("actor", "partner"):
            assert fields[t.field][t.start:t.end].strip()
    for d in r.dyads:
        assert fields[d.field][d.start:d.end] == d.evidence and d.rule


# --- contract -------------------------------------------------------------------------------

def test_contract_shape() -> None:
    out = _seed().to_contract("seed")
    assert list(out) == ["id", "lang", "untagged", "actors", "partners", "themes", "mentions",
                         "dyads", "posture"]
    assert set(out["dyads"][0]) == {"actor", "partner", "themes", "status", "evidence", "speaker"}
    assert set(out["posture"][0]) == {"actor", "country", "action", "personnel", "personnel_text",
                                      "place", "date", "status", "evidence"}
    assert set(out["themes"]) <= set(THEMES)
    assert all(d["status"] in STATUSES and set(d["themes"]) <= set(THEMES) for d in out["dyads"])
    assert all(p["action"] in ACTIONS and p["status"] in STATUSES for p in out["posture"])
    assert TAGGER_VERSION.count(".") == 2


def test_org_brings_parent_and_doubles_dyad() -> None:
    r = tag("Barkhane soldiers handed the Gao base over to the Malian army on Monday.",
            published="2022-01-10")
    assert r.actors[:2] == ["Barkhane", "France"]
    assert _dyad(r, "Barkhane", "Mali") and _dyad(r, "France", "Mali")
    assert _events(r, "France", "Mali", "handover")[0].place == "Gao"


# --- French ---------------------------------------------------------------------------------

def test_french_deployment_with_vague_figure() -> None:
    r = tag("Selon des sources sécuritaires, plusieurs centaines de paramilitaires du groupe "
            "Wagner auraient été déployés à Ménaka en juin.", published="2022-09-01")
    assert r.lang == "fr"
    assert {"Wagner Group", "Russia"} <= set(r.actors) and r.partners == ["Mali"]
    events = _events(r, "Wagner Group", "Mali", "deploy") + _events(r, "Wagner Group", "Mali",
                                                                  "present")
    assert events
    assert events[0].personnel is None and "plusieurs centaines" in events[0].personnel_text
    assert events[0].status == "hedged" and events[0].date == "2022-06-01"


def test_french_stock_figure_with_narrow_space() -> None:
    r = tag("Environ 1\u202f500 soldats français sont déployés au Niger.", lang="fr",
            published="2023-08-04")
    event = _events(r, "France", "Niger", "present")[0]
    assert event.personnel == 1500


def test_french_planned_withdrawal() -> None:
    r = tag("La France va retirer ses soldats du Tchad d'ici la fin de l'année.",
            published="2024-11-28")
    assert _events(r, "France", "Chad", "withdraw")[0].status == "planned"


# --- negatives ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text",
    [
        "Richard Wagner's opera Parsifal opened the Bayreuth festival in Germany.",
        "Mali beat Russia 2-1 in a friendly football match in Moscow on Tuesday, with two goals "
        "in the second half.",
        "The Niger River flows through Guinea, Mali and Niger before reaching Nigeria.",
        "He parked his car near the station and took the train to work.",
        "Russian forces launched an offensive in eastern Ukraine on Thursday.",
    ],
)
def test_negatives_have_no_partnership(text: str) -> None:
    r = tag(text, lang="en")
    assert r.dyads == () and r.posture == ()
    assert "Wagner Group" not in r.actors and "Central African Republic" not in r.partners


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("The UAE reportedly supplied Chinese-made drones to forces in Libya.", "China"),
        ("Neuf ressortissants chinois ont été tués près de Bambari, en Centrafrique, où la "
         "Russie a déployé des instructeurs.", "China"),
        ("Russia has sent fighter jets to Libya, the U.S. Africa Command said.", "AFRICOM"),
        ("Russia flew the jets to Libya via Syria to support its forces.", "Syria"),
    ],
)
def test_not_every_named_power_acts(text: str, absent: str) -> None:
    assert absent not in tag(text).actors


def test_capital_as_place_or_as_government() -> None:
    assert "France" not in tag("Malian and Russian officials met in Paris to discuss security "
                               "cooperation in Mali.", lang="en").actors
    assert "France" in tag("Paris decided to withdraw its troops from Mali.", lang="en").actors


def test_unrelated_paragraphs_make_no_dyad() -> None:
    text = ("Russia announced new sanctions against European banks on Monday.\n\n"
            "In Bamako, Mali's farmers expect a good cotton harvest this year.")
    assert tag(text, lang="en").dyads == ()


def test_adjacent_sentence_with_a_reference_makes_a_dyad() -> None:
    text = "Mali's junta is looking for new partners. Russia has sent instructors to the country."
    d = _dyad(tag(text, lang="en"), "Russia", "Mali")
    assert d is not None and "training" in d.themes


def test_african_state_acting_abroad_is_an_actor() -> None:
    r = tag("Rwandan troops were deployed to Mozambique's Cabo Delgado province in July.",
            lang="en", published="2021-08-01")
    assert r.actors == ["Rwanda"] and r.partners == ["Mozambique"]


# --- status ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Russia has deployed military instructors to Mali.", "reported"),
        ("Russia will deploy military instructors to Mali next year.", "planned"),
        ("Russia reportedly deployed military instructors to Mali.", "hedged"),
        ("Mali denies that Russia deployed military instructors in the country.", "denied"),
        ("La Russie aurait déployé des instructeurs militaires au Mali.", "hedged"),
        ("La Russie dément avoir déployé des instructeurs militaires au Mali.", "denied"),
    ],
)
def test_status(text: str, status: str) -> None:
    r = tag(text)
    assert _dyad(r, "Russia", "Mali").status == status


def test_status_stays_in_its_clause() -> None:
    r = tag("Russia denies any role, but Turkey delivered drones to Niger last month.",
            lang="en", published="2024-03-01")
    assert _dyad(r, "Turkey", "Niger").status == "reported"


def test_speaker_from_attribution() -> None:
    text = ("“Russia is a reliable partner for Mali in the fight against terrorism,” "
            "said Abdoulaye Diop.")
    assert _dyad(tag(text, lang="en"), "Russia", "Mali").speaker == "Abdoulaye Diop"


# --- personnel figures ----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "lang", "value", "words"),
    [
        ("France has about 1,000 troops stationed in Chad", "en", 1000, "1,000 troops"),
        ("some 5,100 troops", "en", 5100, "5,100 troops"),
        ("5\u00a0100 soldats", "fr", 5100, "5\u00a0100 soldats"),
        ("un millier de mercenaires", "fr", 1000, "un millier de mercenaires"),
        ("about a thousand Russian instructors", "en", 1000, "a thousand Russian instructors"),
        ("between 800 and 2,000 mercenaries", "en", None, "between 800 and 2,000 mercenaries"),
        ("several hundred Wagner fighters", "en", None, "several hundred Wagner fighters"),
        ("two battalions of French troops", "en", None, "two battalions"),
        ("up to 300 soldiers under the agreement", "en", None, "up to 300 soldiers"),
    ],
)
def test_force_figures(text: str, lang: str, value: int | None, words: str) -> None:
    found = figures(text, lang)
    assert found and found[0].value == value and found[0].text == words


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("30 soldiers were killed in the ambush", "en"),
        ("the mission trained 500 Malian soldiers", "en"),
        ("In 2013 French troops intervened", "en"),
        ("10 tonnes of weapons and a 5 MW plant", "en"),
        ("12 soldats ont été tués", "fr"),
    ],
)
def test_numbers_that_are_not_the_force(text: str, lang: str) -> None:
    assert figures(text, lang) == []


def test_casualties_are_not_personnel_in_posture() -> None:
    r = tag("Wagner fighters deployed in central Mali; 30 soldiers were killed in an ambush.",
            lang="en")
    assert all(p.personnel is None for p in r.posture)


# --- dates ----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "published", "date"),
    [
        ("France withdrew its troops from Mali in June.", "2021-11-11", "2021-06-01"),
        ("France withdrew its troops from Mali last month.", "2021-11-11", "2021-10-01"),
        ("La France a retiré ses troupes du Mali le mois dernier.", "2021-11-11", "2021-10-01"),
        ("La France a retiré ses troupes du Mali le 11 novembre 2021.", "2022-01-05",
         "2021-11-11"),
        ("France withdrew its troops from Mali on November 11, 2021.", None, "2021-11-11"),
        ("France withdrew its troops from Mali.", "2022-08-15", "2022-08-15"),
        ("Three years ago France withdrew its troops from Mali.", "2025-08-15", "2022-01-01"),
        ("France withdrew its troops from Mali 3 months ago.", "2022-11-15", "2022-08-01"),
        ("Il y a deux ans, la France a retiré ses troupes du Mali.", "2024-08-15", "2022-01-01"),
        ("La France a retiré ses troupes du Mali il y a six mois.", "2023-02-20", "2022-08-01"),
    ],
)
def test_posture_dates(text: str, published: str | None, date: str) -> None:
    event = _events(tag(text, published=published), "France", "Mali", "withdraw")[0]
    assert event.date == date


@pytest.mark.parametrize(
    ("text", "lang", "actor", "country"),
    [
        ("Officiellement, Wagner n'est plus présent au Mali.", "fr", "Wagner Group", "Mali"),
        ("French soldiers are no longer present in Mali.", "en", "France", "Mali"),
    ],
)
def test_a_presence_that_has_ended_is_a_force_of_none(text, lang, actor, country) -> None:
    r = tag(text, lang=lang, published="2025-06-08")
    (event,) = _events(r, actor, country, "present")
    assert (event.personnel, event.status) == (0, "reported")
    assert event.rule.endswith(":no-longer")
    themes = {t.value for t in r.tags if t.kind == "theme"}
    assert "troop_withdrawal" in themes and "troop_deployment" not in themes


# --- languages and bad input ----------------------------------------------------------------

def test_unsupported_language_is_not_tagged() -> None:
    r = tag("Russland hat Soldaten nach Mali geschickt, um die Regierung zu unterstützen, "
            "und die Zusammenarbeit mit der Armee wird ausgebaut.")
    assert r.lang == "de" and r.untagged == "unsupported language: de" and r.tags == ()


@pytest.mark.parametrize(
    ("headline", "lang"),
    [("Russia sends troops to Mali", "en"), ("La Russie envoie des troupes au Mali", "fr"),
     ("Russland schickt Truppen nach Mali", "de"), ("Rusia envía tropas a Malí", "es")],
)
def test_headline_language(headline: str, lang: str) -> None:
    assert tag(headline).lang == lang


def test_a_declared_language_stands_when_the_text_does_not_say_otherwise() -> None:
    assert tag("Sputnik Mali", lang="es").untagged == "unsupported language: es"


def test_a_declared_language_is_a_hint_the_item_overrides() -> None:
    """A French item in a feed declared English is tagged with the French rules."""
    r = tag("Des instructeurs militaires russes sont arrivés au Niger jeudi, a annoncé la "
            "télévision nationale, dans le cadre d'un accord de coopération.", lang="en",
            published="2024-04-12")
    assert r.lang == "fr"
    assert _events(r, "Russia", "Niger", "deploy")


@pytest.mark.parametrize(
    ("value", "reason"),
    [("", "empty text"), ("   \n\t ", "empty text"), ("\x00\x01\x02\x03" * 2000, "binary content"),
     (b"\x00\xff\x00\xfe" * 100, "binary content"), (12345, "binary content")],
)
def test_bad_input_gets_a_reason(value, reason: str) -> None:
    assert tag(value).untagged == reason


def test_nul_bytes_and_lone_surrogates_are_survived() -> None:
    text = "Russia\x00 sent military instructors to Mali\ud800 in June."
    r = tag(text, lang="en", published="2021-11-11")
    assert r.untagged is None and _dyad(r, "Russia", "Mali")


def test_mixed_scripts() -> None:
    r = tag("Россия и Мали. Russia has deployed military instructors to Mali. 俄罗斯。", lang="en")
    assert _dyad(r, "Russia", "Mali")


def test_huge_document_is_bounded() -> None:
    body = ("Russia has deployed military instructors to Mali, officials said. " * 160_000)
    started = time.perf_counter()
    r = tag(body, lang="en")
    assert time.perf_counter() - started < 20
    assert r.truncated and r.notes and r.untagged is None


# --- gazetteer ------------------------------------------------------------------------------

def test_place_coordinates_cover_capitals_and_bases() -> None:
    places = place_coordinates()
    for name in ("Bamako", "Bangui", "Ouagadougou", "Niamey", "N'Djamena", "Kidal", "Tessalit",
                 "Timbuktu", "Tombouctou", "Ménaka", "Gao", "Agadez", "Abéché", "Faya",
                 "Port Sudan", "Jufra", "Al-Khadim", "Camp Lemonnier", "Port-Bouët"):
        lat, lon, country = places[name]
        assert -40 < lat < 40 and -30 < lon < 60 and country in countries().values()
    assert places["Kidal"][2] == "Mali" and places["Abidjan"][2] == "Côte d'Ivoire"


def test_every_african_state_is_a_partner() -> None:
    names = set(countries().values())
    assert len(names) >= 54
    assert {"Democratic Republic of the Congo", "Republic of the Congo", "Tanzania",
            "Cabo Verde", "Eswatini"} <= names


@pytest.mark.parametrize(
    ("text", "partner"),
    [
        ("Russian instructors arrived in Guinea-Bissau.", "Guinea-Bissau"),
        ("Russian instructors arrived in Equatorial Guinea.", "Equatorial Guinea"),
        ("Russian instructors arrived in Brazzaville.", "Republic of the Congo"),
        ("Russian instructors arrived in the CAR.", "Central African Republic"),
        ("Des instructeurs russes sont arrivés en Centrafrique.", "Central African Republic"),
    ],
)
def test_ambiguous_names(text: str, partner: str) -> None:
    assert tag(text).partners == [partner]


def test_another_states_force_is_not_the_actors_move() -> None:
    text = ("Under the agreement signed in 2016, Britain trains soldiers in Kenya at its Nanyuki"
            " facility and supports Kenyan forces deploying to Somalia.")
    assert not _events(tag(text, lang="en"), "United Kingdom", "Somalia", "deploy")
    together = tag("Wagner mercenaries and Malian troops arrived in Kidal.", lang="en")
    assert [p.actor for p in together.posture] == ["Wagner Group"]


def test_where_an_insurgency_came_from_is_not_a_partner() -> None:
    r = tag("France has some 400 special forces in Burkina Faso to help local troops fight a"
            " jihadist insurgency that spread from Mali.", lang="en")
    assert [(d.actor, d.partner) for d in r.dyads] == [("France", "Burkina Faso")]


def test_a_figure_for_a_list_of_countries_is_none_of_theirs() -> None:
    r = tag("Quelque 3 000 militaires français restent déployés au Niger, au Tchad et au"
            " Burkina Faso.", lang="fr")
    assert r.posture and all(p.personnel is None for p in r.posture)
    assert all(p.rule.split("|")[0].endswith(":shared") for p in r.posture)
    assert _events(tag("France has about 2,400 troops in Mali.", lang="en"), "France", "Mali",
                   "present")[0].personnel == 2400
