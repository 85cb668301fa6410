"""Troop-posture rules written from real reporting (issue 18): what an analyst would otherwise
see on the Troop posture page as a false move, a wrong figure or a wrong status."""

from __future__ import annotations

import pytest

from ingest.tagger import tag


def _events(text: str, lang: str = "en", published: str = "2024-09-02") -> dict:
    """{(actor, country, action): event} of one article."""
    result = tag(text, lang=lang, published=published)
    assert result.untagged is None, result.untagged
    return {(p.actor, p.country, p.action): p for p in result.posture}


@pytest.mark.parametrize("text, lang", [
    ("In a couple of days, Russian fighter jets arrived in eastern Libya, at two desert "
     "airfields held by Haftar's forces.", "en"),
    ("Le 21 décembre, ces engins turcs déployés à la base militaire de Mopti, au Mali, ont "
     "effectué des vols de reconnaissance.", "fr"),
])
def test_equipment_arriving_is_no_troop_move(text: str, lang: str) -> None:
    events = _events(text, lang)
    assert not [k for k in events if k[2] == "deploy"], events


def test_troops_arriving_are_still_a_move() -> None:
    events = _events("In a couple of days, Russian troops arrived in eastern Libya, at two "
                     "desert airfields held by Haftar's forces.")
    assert ("Russia", "Libya", "deploy") in events


def test_bringing_an_end_is_no_deployment() -> None:
    events = _events("In November, Chad announced that it would bring an end to France's "
                     "military presence in the country.", published="2024-12-01")
    assert ("France", "Chad", "deploy") not in events


def test_an_insurgency_that_left_thousands_dead_is_no_departure() -> None:
    events = _events("Rwanda has begun deploying 1,000 troops to Mozambique's Cabo Delgado "
                     "province, where a militant insurgency has left thousands dead.")
    assert ("Rwanda", "Mozambique", "deploy") in events
    assert ("Rwanda", "Mozambique", "withdraw") not in events


def test_a_minister_present_at_a_ceremony_is_no_force_present() -> None:
    events = _events("La Centrafrique est vue comme un partenaire prometteur, a ajouté le "
                     "ministre russe, présent à l'inauguration d'un forum militaire à Koubinka.",
                     "fr", published="2018-08-21")
    assert ("Russia", "Central African Republic", "present") not in events


def test_a_change_dated_years_before_the_article_is_history() -> None:
    text = ("In 2017, Turkey set up its biggest overseas military base in Mogadishu, "
            "increasing Ankara's presence in Somalia.")
    assert ("Turkey", "Somalia", "base_open") not in _events(text, published="2023-06-15")
    # the same sentence in the year it happened is the news
    event = _events(text, published="2017-10-01")[("Turkey", "Somalia", "base_open")]
    assert event.date == "2017-01-01" and event.rule.startswith("posture:en:base_open")


def test_a_date_in_another_clause_does_not_make_history() -> None:
    events = _events("Ouagadougou a donné un mois à la France pour retirer ses forces spéciales "
                     "du Burkina Faso, en dénonçant l'accord de 2018 sur le statut des forces.",
                     "fr", published="2023-01-24")
    assert ("France", "Burkina Faso", "withdraw") in events


def test_a_planned_reduction_already_under_way_is_reported() -> None:
    events = _events("Paris will significantly reduce French military contingents in Gabon, "
                     "Senegal and Côte d'Ivoire, and the process has already begun, a French "
                     "newspaper reported on Tuesday.", published="2024-01-30")
    event = events[("France", "Gabon", "withdraw")]
    assert event.status == "reported"
    assert "status:under-way" in event.rule


def test_the_force_a_move_joins_is_not_the_move_s_figure() -> None:
    events = _events("Rwanda last month sent more troops to join the 2,500 soldiers currently "
                     "fighting the insurgency in Cabo Delgado, northern Mozambique.",
                     published="2024-06-12")
    assert events[("Rwanda", "Mozambique", "deploy")].personnel is None


def test_ten_years_ago_is_history_three_years_ago_is_not() -> None:
    assert ("France", "Mali", "withdraw") not in _events(
        "Ten years ago France withdrew its troops from Mali.", published="2032-08-15")
    event = _events("Three years ago France withdrew its troops from Mali.",
                    published="2025-08-15")[("France", "Mali", "withdraw")]
    assert event.date == "2022-01-01"


def test_a_departure_not_ruled_out_is_hedged() -> None:
    event = _events("La France n’écarte pas un départ de ses forces spéciales du Burkina Faso.",
                    "fr", published="2022-11-21")[("France", "Burkina Faso", "withdraw")]
    assert event.status == "hedged"


def test_a_departure_that_a_decision_will_cause_is_planned() -> None:
    event = _events("La décision du Tchad aura pour conséquence le départ de près d’un millier "
                    "de soldats français déployés dans le pays.", "fr",
                    published="2024-11-29")[("France", "Chad", "withdraw")]
    assert event.status == "planned"
    assert event.personnel == 1000


def test_an_announced_reduction_in_the_conditional_is_a_plan() -> None:
    event = _events("Les autorités françaises avaient annoncé que le nombre de soldats français "
                    "au Gabon serait réduit.", "fr",
                    published="2023-09-01")[("France", "Gabon", "withdraw")]
    assert event.status == "planned"


def test_a_cumulative_total_is_the_withdrawal_s_figure() -> None:
    event = _events("La France a retiré 193 autres soldats du Niger, ce qui porte le nombre des "
                    "militaires français ayant quitté le pays à 284.", "fr",
                    published="2023-10-23")[("France", "Niger", "withdraw")]
    assert event.personnel == 284
    assert event.rule.endswith(":cumulative")


def test_two_parts_of_one_force_are_counted_together() -> None:
    event = _events("Depuis le début de l’année, la Russie a envoyé en Centrafrique cinq "
                    "officiers militaires et 170 instructeurs civils.", "fr",
                    published="2018-08-21")[("Russia", "Central African Republic", "deploy")]
    assert event.personnel == 175


def test_the_joined_force_is_a_stock_with_its_figure() -> None:
    events = _events("Rwanda last month sent more troops to join the 2,500 soldiers currently "
                     "fighting the insurgency in Cabo Delgado, northern Mozambique.",
                     published="2024-06-12")
    stock = events[("Rwanda", "Mozambique", "present")]
    assert (stock.personnel, stock.status) == (2500, "reported")
    assert stock.rule.endswith(":joined") and "2,500 soldiers" in stock.evidence


def test_troops_stationed_there_are_there_now_though_they_will_leave() -> None:
    events = _events("The United States has announced that its remaining troops stationed at "
                     "Niger's Agadez drone base will withdraw by early August.",
                     published="2024-07-25")
    assert events[("United States", "Niger", "present")].status == "reported"
    assert events[("United States", "Niger", "withdraw")].status == "planned"


def test_a_ruler_arriving_in_power_is_no_deployment() -> None:
    events = _events("Les relations entre la France et le Niger se sont détériorées avec "
                     "l’arrivée au pouvoir du général Tiani, alors que des soldats français "
                     "étaient stationnés au Niger.", "fr", published="2023-11-14")
    assert ("France", "Niger", "deploy") not in events


def test_a_term_ending_is_no_departure_but_a_year_ending_dates_one() -> None:
    events = _events("The move came after President Trump ordered more strikes in Somalia near "
                     "the end of his term, while US troops remained in the country.",
                     published="2022-07-18")
    assert ("United States", "Somalia", "withdraw") not in events
    events = _events("France would bring its troops home from Niger by the end of the year.",
                     published="2023-09-25")
    assert events[("France", "Niger", "withdraw")].status == "planned"


def test_a_french_date_from_is_no_departure() -> None:
    events = _events("Débarqués au Cabo Delgado à partir de la mi-juillet, un millier de "
                     "soldats rwandais assurent la sécurité du site gazier au Mozambique.", "fr",
                     published="2021-08-05")
    assert ("Rwanda", "Mozambique", "withdraw") not in events


def test_a_force_showing_no_sign_of_leaving_stays() -> None:
    events = _events("Le personnel du groupe Wagner fait partie des combattants étrangers qui ne "
                     "montrent aucun signe de partir de Libye.", "fr", published="2021-04-25")
    assert ("Wagner Group", "Libya", "withdraw") not in events
    assert events[("Wagner Group", "Libya", "present")].status == "reported"


def test_a_past_level_in_the_country_is_a_stock_with_its_figure() -> None:
    events = _events("French troops began leaving Chad last Friday. The French army had some "
                     "1,000 personnel in Chad.", published="2024-12-26")
    stock = events[("France", "Chad", "present")]
    assert stock.personnel == 1000 and stock.status == "reported"


def test_its_withdrawal_is_the_actor_s_own_force() -> None:
    events = _events("The United States completed its withdrawal from Niger last month, defence "
                     "officials said.", published="2024-09-02")
    event = events[("United States", "Niger", "withdraw")]
    assert event.status == "reported" and event.rule.endswith(":all-left")


def test_an_announced_plan_is_not_dated_by_the_announcement_s_month() -> None:
    events = _events("French troops are still in Mali. France had announced its withdrawal from "
                     "Mali in February.", published="2022-05-02")
    event = events[("France", "Mali", "withdraw")]
    assert event.status == "planned"
    assert event.date <= "2022-05-02"
    due = _events("The United States has announced that its troops will withdraw from Niger by "
                  "early August.", published="2024-07-25")[("United States", "Niger", "withdraw")]
    assert due.date == "2024-08-01"


# Rules from real reporting, 2026.12.4 (issue 18, second round)


def test_an_organisation_s_events_belong_to_its_mission_in_that_country() -> None:
    events = _events("The UN mission in Mali began pulling its staff out of Kidal on Monday. "
                     "A day later, UN peacekeepers handed over their camp at Tessalit to the "
                     "Malian army.", published="2023-11-01")
    handover = events[("MINUSMA", "Mali", "handover")]
    assert handover.rule.endswith(":mission")
    assert not [k for k in events if k[0] == "United Nations"], events


def test_a_state_s_task_force_does_not_take_over_the_state_s_events() -> None:
    events = _events("French troops left Mali in August. Task Force Takuba, the European unit "
                     "France led, was dissolved in Mali at the end of June.",
                     published="2022-11-09")
    assert ("France", "Mali", "withdraw") in events


@pytest.mark.parametrize("text, lang", [
    ("Le désengagement des militaires français présents au Tchad a commencé jeudi.", "fr"),
    ("The drawdown of the French soldiers based in Chad started on Thursday.", "en"),
])
def test_the_force_a_departure_describes_is_a_stock(text: str, lang: str) -> None:
    events = _events(text, lang, published="2024-12-20")
    stock = events[("France", "Chad", "present")]
    assert stock.status == "reported" and stock.rule.endswith(":describing")
    assert ("France", "Chad", "withdraw") in events


def test_the_last_soldiers_present_leave_no_stock() -> None:
    events = _events("L'Allemagne a rapatrié mardi ses derniers soldats présents au Niger.", "fr",
                     published="2024-09-02")
    assert ("Germany", "Niger", "present") not in events
    assert ("Germany", "Niger", "withdraw") in events


@pytest.mark.parametrize("text, lang, country, personnel", [
    ("Paris n'exclut pas un retrait de ses 1 500 soldats du Tchad.", "fr", "Chad", 1500),
    ("France plans to scale back its troops in Gabon next year.", "en", "Gabon", None),
    ("La MINUSMA a engagé le retrait de ses quelque 11 000 casques bleus du Mali.", "fr", "Mali",
     11000),
])
def test_a_departure_that_leaves_the_force_in_place_says_it_is_there(
        text: str, lang: str, country: str, personnel: int | None) -> None:
    events = _events(text, lang, published="2024-09-02")
    stock = next(p for k, p in events.items() if k[1:] == (country, "present"))
    assert stock.status == "reported" and stock.personnel == personnel
    assert stock.rule.endswith(":presupposed")


def test_a_plain_plan_to_leave_says_nothing_of_a_stock() -> None:
    events = _events("Britain will withdraw its 250 troops from Mali by the end of the year.",
                     published="2022-11-14")
    assert events[("United Kingdom", "Mali", "withdraw")].status == "planned"
    assert ("United Kingdom", "Mali", "present") not in events


@pytest.mark.parametrize("text, lang, published", [
    ("Paris has spent two years rebuilding its ties in the region after the hurried departure "
     "of its soldiers from Mali, Burkina Faso and Niger.", "en", "2025-03-01"),
    ("Depuis 2021, la France s'est retirée du Mali, du Burkina Faso et du Niger, et sa base du "
     "Gabon est devenue un camp partagé.", "fr", "2025-06-01"),
    ("Niamey se tourne vers Moscou, plusieurs mois après le retrait des soldats français du "
     "Mali.", "fr", "2023-02-20"),
])
def test_a_departure_told_as_backdrop_is_not_news(text: str, lang: str, published: str) -> None:
    events = _events(text, lang, published)
    assert not [k for k in events if k[2] == "withdraw"], events


def test_a_departure_a_few_weeks_before_the_news_is_still_news() -> None:
    events = _events("Russian instructors have arrived in Gao, a few weeks after French troops "
                     "left their camp in the town.", published="2022-01-10")
    assert events[("France", "Mali", "withdraw")].status == "reported"


@pytest.mark.parametrize("text, lang, actor, country", [
    ("Opposition parties in Chad called for the withdrawal of French troops from the country.",
     "en", "France", "Chad"),
    ("Le gouvernement malien a exigé le départ des casques bleus de la MINUSMA du Mali.", "fr",
     "MINUSMA", "Mali"),
])
def test_a_demanded_departure_is_planned_not_done(text: str, lang: str, actor: str,
                                                  country: str) -> None:
    event = _events(text, lang)[(actor, country, "withdraw")]
    assert event.status == "planned" and event.rule.endswith("status:demanded")


@pytest.mark.parametrize("text, lang, actor, country, personnel", [
    ("La mission européenne EUTM Mali, composée de quelque 700 soldats, forme l'armée "
     "malienne.", "fr", "EUTM", "Mali", 700),
    ("Le Tchad compte déjà près de 1 000 personnels français, selon l'état-major.", "fr",
     "France", "Chad", 1000),
    ("The EU training mission in Somalia, made up of about 200 soldiers, advises the Somali "
     "army.", "en", "EUTM", "Somalia", 200),
])
def test_a_force_described_by_its_strength_is_a_stock(text: str, lang: str, actor: str,
                                                       country: str, personnel: int) -> None:
    stock = _events(text, lang)[(actor, country, "present")]
    assert stock.personnel == personnel and stock.status == "reported"


@pytest.mark.parametrize("text", [
    "Egypt's navy keeps a growing presence across the Mediterranean, officials in Cairo and "
    "Tripoli say, as Libya's rival governments court foreign backers.",
    "Chinese marines based in Djibouti helped evacuate foreign nationals from Yemen last month.",
])
def test_a_force_at_sea_or_leaving_a_place_abroad_is_no_african_event(text: str) -> None:
    events = _events(text)
    assert not [k for k in events if k[2] in ("present", "withdraw") and k[1] == "Libya"], events
    assert ("China", "Djibouti", "withdraw") not in events


def test_a_force_sent_from_abroad_still_arrives() -> None:
    events = _events("Some 300 Russian instructors were sent from Moscow to the Central African "
                     "Republic last week.", published="2024-03-01")
    assert events[("Russia", "Central African Republic", "deploy")].personnel == 300


def test_a_force_yet_to_be_stationed_is_a_planned_move_where_it_goes() -> None:
    events = _events("French soldiers leaving Niger are due to be stationed in neighbouring Chad "
                     "and Benin, the ministry said.", published="2023-10-01")
    for country in ("Chad", "Benin"):
        move = events[("France", country, "deploy")]
        assert move.status == "planned" and move.rule.endswith(":to-be-stationed")
    assert ("France", "Niger", "withdraw") in events
    assert ("France", "Chad", "withdraw") not in events


@pytest.mark.parametrize("text, lang, key", [
    ("Troops sent by Turkey last winter are said to have turned the battle for Tripoli.", "en",
     ("Turkey", "Libya", "deploy")),
    ("Un diplomate a démenti que la Russie réduisait sa présence militaire en Centrafrique : "
     "« ce n'est pas le cas ».", "fr", ("Russia", "Central African Republic", "present")),
])
def test_a_move_or_stock_the_phrase_takes_for_granted_is_reported(text: str, lang: str,
                                                                  key: tuple) -> None:
    event = _events(text, lang, published="2020-05-26")[key]
    assert event.status == "reported" and event.rule.endswith("status:presupposed")


def test_a_denied_presence_stays_denied() -> None:
    event = _events("Moscow denies any military presence in Libya.",
                    published="2020-05-26")[("Russia", "Libya", "present")]
    assert event.status == "denied"


def test_a_departure_from_abroad_towards_a_country_is_an_arrival_there() -> None:
    events = _events("Deux navires transportant des militaires chinois ont quitté Sanya, sur "
                     "l'île de Hainan, pour arriver à Djibouti.", "fr", published="2017-07-12")
    assert ("China", "Djibouti", "withdraw") not in events
    assert ("China", "Djibouti", "deploy") in events
    left = _events("Les soldats français ont quitté le Niger pour rejoindre le Tchad.", "fr",
                   published="2023-12-22")
    assert ("France", "Niger", "withdraw") in left


def test_the_stationing_an_accord_governs_is_no_move_to_come() -> None:
    events = _events("La junte a annoncé dénoncer les accords qui encadrent le stationnement des "
                     "soldats français au Niger.", "fr", published="2023-08-04")
    assert ("France", "Niger", "deploy") not in events


def test_a_departure_not_ruled_out_is_hedged_not_denied() -> None:
    events = _events("Washington does not rule out a withdrawal of its 75 special forces from "
                     "Chad, a spokesman said.", published="2024-05-14")
    assert events[("United States", "Chad", "withdraw")].status == "hedged"
    assert events[("United States", "Chad", "present")].personnel == 75
