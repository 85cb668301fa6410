"""Rules of tagger 2026.12 that come from real reporting: who acts, where, how many, when.

Each test is a failure class seen on real news or on the bundled chronology, in our own words.
"""

from __future__ import annotations

from ingest.tagger import TagResult, tag
from ingest.tagger.posture import ALL_LEFT


def _events(result: TagResult, actor: str | None = None, country: str | None = None,
            action: str | None = None):
    return [p for p in result.posture if (actor or p.actor, country or p.country,
                                          action or p.action) == (p.actor, p.country, p.action)]


# --- who acts, and what is only named --------------------------------------------------------

def test_a_state_named_as_a_place_is_a_mention_not_an_actor() -> None:
    r = tag("The Wagner Group, which fought in Ukraine and Syria, has sent about 1,000 men to "
            "Mali.", lang="en", published="2022-01-10")
    assert {"Wagner Group", "Russia"} <= set(r.actors)
    assert "Ukraine" not in r.actors and "Syria" not in r.actors
    assert {"Ukraine", "Syria"} <= set(r.mentions)


def test_a_country_named_in_passing_is_a_mention_not_a_partner() -> None:
    r = tag("Russia signed a military cooperation agreement with Mali on Monday.\n\n"
            "Senegal held a presidential election the same weekend.", lang="en",
            published="2024-03-25")
    assert r.partners == ["Mali"]
    assert "Senegal" in r.mentions


def test_a_partner_in_the_next_sentence_of_the_same_story_is_still_a_partner() -> None:
    r = tag("Turkish Bayraktar TB2 drones were delivered to Togo in recent weeks. In May, Niger "
            "acquired half a dozen of the drones.", lang="en", published="2022-08-25")
    assert {"Togo", "Niger"} <= set(r.partners)


# --- where a presence ends --------------------------------------------------------------------

def test_attendance_is_not_a_presence() -> None:
    r = tag("Senegal took back the last French camp in Dakar on Thursday, in a ceremony held in "
            "the presence of General Pascal Ianni, France's commander for Africa.", lang="en",
            published="2025-07-17")
    assert not _events(r, action="present")
    r = tag("Le Sénégal a repris le camp Geille lors d'une cérémonie tenue en présence du "
            "général Pascal Ianni, commandant français pour l'Afrique.", lang="fr",
            published="2025-07-17")
    assert not _events(r, action="present")


def test_ending_a_presence_is_the_last_departure_from_the_country_it_names() -> None:
    r = tag("Les derniers soldats français ont franchi lundi la frontière entre le Mali et le "
            "Niger, mettant fin à neuf ans de présence militaire française au Mali.", lang="fr",
            published="2022-08-16")
    withdrawals = _events(r, "France", "Mali", "withdraw")
    assert withdrawals and withdrawals[0].rule.endswith(ALL_LEFT)
    assert withdrawals[0].date == "2022-08-15"  # "lundi", the day before the article
    assert not _events(r, action="present") and not _events(r, country="Niger")


def test_the_end_of_a_presence_in_one_town_leaves_the_country_level_alone() -> None:
    r = tag("French officers handed their base in Timbuktu to the Malian army on Tuesday, "
            "ending a nine-year presence in the northern desert city.", lang="en",
            published="2021-12-15")
    assert not any(p.rule.endswith(ALL_LEFT) for p in r.posture)


def test_a_past_stock_does_not_outlast_the_departure_the_article_reports() -> None:
    r = tag("The last French troops left Niger on Friday, the army said. French forces had "
            "been based in Ouallam, Ayorou and Niamey.", lang="en", published="2023-12-23")
    assert _events(r, "France", "Niger", "withdraw")
    assert not _events(r, "France", "Niger", "present")


def test_a_completed_withdrawal_leaves_nobody() -> None:
    r = tag("France completed the withdrawal of its 1,500 soldiers from Niger on Friday, "
            "22 December.", lang="en", published="2023-12-23")
    (event,) = _events(r, "France", "Niger", "withdraw")
    assert event.personnel == 1500 and event.rule.endswith(ALL_LEFT)
    assert event.date == "2023-12-22"


# --- how many --------------------------------------------------------------------------------

def test_a_future_sahel_wide_figure_is_a_plan_and_no_country_level() -> None:
    r = tag("Barkhane mobilisera 3 000 militaires au Mali, au Tchad et au Niger.", lang="fr",
            published="2014-07-19")
    assert all(p.status == "planned" and p.personnel is None for p in r.posture)


def test_a_garrison_at_one_camp_is_not_the_countrys_force() -> None:
    r = tag("French soldiers handed over the Timbuktu camp to Malian forces. The flag was "
            "lowered at the camp near the airport, where about 150 French soldiers had "
            "remained.", lang="en", published="2021-12-15")
    assert all(p.personnel is None for p in r.posture)


def test_a_future_regional_total_is_not_the_departing_figure() -> None:
    r = tag("Le dernier détachement de Barkhane ayant quitté le Mali le 15 août, l'Élysée "
            "annonce que la présence militaire française au Sahel sera divisée par deux, à "
            "2 500 militaires.", lang="fr", published="2022-08-15")
    (event,) = _events(r, "France", "Mali", "withdraw")
    assert event.personnel is None and event.rule.endswith(ALL_LEFT)
    assert not _events(r, action="present")


def test_the_number_remaining_is_a_stock_not_a_withdrawal() -> None:
    r = tag("Niger : il ne reste plus que 157 soldats français, le retrait sera achevé le 22 "
            "décembre", lang="fr", published="2023-12-13")
    assert [p.personnel for p in _events(r, "France", "Niger", "present")] == [157]
    assert all(p.personnel is None and p.status == "planned"
               for p in _events(r, "France", "Niger", "withdraw"))


def test_the_country_of_sur_place_is_the_story_not_a_country_it_contrasts_with() -> None:
    r = tag("La base de Port-Bouët sera rétrocédée à la Côte d'Ivoire le 20 février. "
            "Contrairement au Mali, au Burkina Faso et au Niger, ce départ se fait en bonne "
            "entente. Un détachement d'environ 80 soldats français restera sur place.",
            lang="fr", published="2025-02-07")
    assert not _events(r, country="Niger")
    assert _events(r, "France", "Côte d'Ivoire", "present")


# --- who moves -------------------------------------------------------------------------------

def test_a_power_that_speaks_about_a_deployment_does_not_deploy() -> None:
    r = tag("Bamako says the Russians are there under a bilateral agreement, while Western "
            "governments led by France say the deployment includes Wagner Group contractors.",
            lang="en", published="2022-01-06")
    assert not _events(r, "France")


def test_powers_that_condemn_a_deployment_do_not_deploy() -> None:
    r = tag("France, Germany and Canada condemn the deployment of mercenary troops on Malian "
            "territory, they said in a joint statement.", lang="en", published="2021-12-23")
    assert not _events(r, "Canada") and not _events(r, "France") and not _events(r, "Germany")


def test_a_place_outside_africa_is_no_african_countrys_presence() -> None:
    r = tag("Russia moved air defence systems from Syria to Libya, the agency reported. Some "
            "Africa Corps personnel were stationed at Tartus.", lang="en",
            published="2025-01-03")
    assert not _events(r, "Africa Corps", "Libya", "present")


def test_equipment_flown_in_is_an_arms_transfer_not_a_troop_deployment() -> None:
    r = tag("Six Bayraktar TB2 drones were delivered to Niger on Monday aboard a Turkish "
            "military transport plane.", lang="en", published="2022-05-24")
    assert not _events(r, "Turkey", "Niger", "deploy")
    assert "arms_transfer" in r.themes


# --- when, and how sure ----------------------------------------------------------------------

def test_a_month_after_announced_is_when_it_was_announced_not_when_it_happens() -> None:
    r = tag("Il s'agit de l'avant-dernière étape du retrait annoncé en février : les militaires "
            "français doivent quitter définitivement le Mali à la fin de l'été.", lang="fr",
            published="2022-06-13")
    assert r.posture and all(p.date is None or p.date <= "2022-12-31" for p in r.posture)
    assert all(p.date != "2023-02-01" for p in r.posture)


def test_a_reported_event_is_never_dated_after_its_article() -> None:
    r = tag("French troops withdrew from Gao in February 2027, the ministry said.", lang="en",
            published="2022-06-13")
    assert all(p.status == "planned" for p in r.posture if p.date > "2022-06-13")


def test_instructors_that_remain_deployed_are_a_reported_stock() -> None:
    r = tag("Some 100 Africa Corps instructors remain deployed in Burkina Faso to protect the "
            "junta leader.", lang="en", published="2025-01-10")
    assert [p.status for p in _events(r, "Africa Corps", "Burkina Faso", "present")] == [
        "reported"]


def test_not_directly_related_is_no_denial() -> None:
    r = tag("The Treasury also sanctioned a Wagner executive who it says worked with Malian "
            "officials on weapons deals and mining projects. The measures are not directly "
            "related to Wagner's mutiny.", lang="en", published="2023-06-27")
    assert {d.status for d in r.dyads if d.partner == "Mali"} == {"reported"}


def test_what_a_list_of_powers_does_each_of_them_does() -> None:
    r = tag("Turkey, the United Arab Emirates and Iran supplied armed drones to Ethiopia during "
            "the war, researchers said.", lang="en", published="2022-01-20")
    assert {"Turkey", "United Arab Emirates", "Iran"} <= set(r.actors)
    assert {d.actor for d in r.dyads if d.partner == "Ethiopia"} >= {
        "Turkey", "United Arab Emirates", "Iran"}


def test_aircraft_by_name_are_arms() -> None:
    r = tag("L'Égypte a commandé trente Rafale supplémentaires à la France.", lang="fr",
            published="2021-05-04")
    assert "France" in r.actors and "arms_transfer" in r.themes
