"""Who acts, with whom, and how sure the report is, on the shapes real reporting takes (issue 18):
datelines, comparisons, outlets named as sources, endorsing bodies, a doubt that describes
someone else, and a story that goes on after its power was named."""

from __future__ import annotations

from ingest.tagger import tag


def _dyads(result) -> dict[tuple[str, str], str]:
    return {(d.actor, d.partner): d.status for d in result.dyads}


def test_a_dateline_country_is_where_the_story_was_filed_not_a_partner():
    text = ("ABIDJAN, Côte d'Ivoire: Russian military instructors have deployed to two more "
            "camps in central Mali this month, officials said.")
    r = tag(text, lang="en", published="2024-03-14")
    assert r.partners == ["Mali"]
    # the same country in the body is a partner as usual
    body = tag("Russian military instructors have deployed to Côte d'Ivoire, officials said.",
               lang="en")
    assert body.partners == ["Côte d'Ivoire"]


def test_countries_in_a_comparison_clause_are_not_partners_nor_their_themes():
    text = ("Le Rwanda a envoyé 500 soldats au Mozambique, à l'instar de la mission de la "
            "SADC au Lesotho, a indiqué l'armée.")
    r = tag(text, lang="fr")
    assert r.partners == ["Mozambique"]
    assert "SADC" not in r.actors
    themed = tag("La Russie a signé un accord de coopération militaire avec le Burkina Faso, à "
                 "l'instar de la campagne de désinformation menée au Mali.", lang="fr")
    assert themed.partners == ["Burkina Faso"]
    assert "information" not in themed.themes
    en = tag("Unlike in Chad and Niger, Russian instructors are now training soldiers in Mali.",
             lang="en")
    assert en.partners == ["Mali"]
    assert set(_dyads(en)) == {("Russia", "Mali")}


def test_a_body_that_only_endorses_a_deployment_does_not_act():
    text = ("Le Rwanda a déployé des soldats au Mozambique. Ce déploiement a été approuvé par "
            "l'Union européenne.")
    r = tag(text, lang="fr")
    assert "European Union" not in r.actors
    funded = tag("L'Union européenne finance le déploiement de soldats rwandais au Mozambique.",
                 lang="fr")
    assert "European Union" in funded.actors


def test_a_news_outlet_and_its_home_are_sources_not_actors():
    text = ("Wagner fighters are guarding the president of the Central African Republic, "
            "writes the French Le Monde.")
    r = tag(text, lang="en")
    assert "France" not in r.actors
    assert {"Wagner Group", "Russia"} <= set(r.actors)
    byline = tag("La France a retiré 193 soldats du Niger, a indiqué la junte. 23.10.2023, "
                 "Sputnik Afrique", lang="fr")
    assert set(_dyads(byline)) == {("France", "Niger")}
    assert "information" not in byline.themes
    told = tag("La Russie a rouvert son ambassade au Burkina Faso, a déclaré à Sputnik un "
               "diplomate.", lang="fr")
    assert "information" not in told.themes
    # a state broadcaster that does something is still its state acting
    acting = tag("Sputnik Afrique a lancé une campagne de désinformation au Mali.", lang="fr")
    assert ("Russia", "Mali") in _dyads(acting)


def test_a_participle_after_a_noun_hedges_that_noun_not_the_power_named_before_it():
    text = ("The company removed networks of Russian accounts that targeted Madagascar and were "
            "tied to a businessman accused of meddling in past elections.")
    r = tag(text, lang="en")
    assert _dyads(r)[("Russia", "Madagascar")] == "reported"
    hedged = tag("Russia is accused of sending mercenaries to Madagascar.", lang="en")
    assert _dyads(hedged)[("Russia", "Madagascar")] == "hedged"
    after = tag("Cargo planes operated by carriers accused of ferrying Emirati weapons landed in "
                "Libya.", lang="en")
    assert _dyads(after)[("United Arab Emirates", "Libya")] == "hedged"


def test_the_story_goes_on_in_a_later_sentence_that_lists_the_countries():
    text = ("A social media company said it had removed networks of accounts run from Russia "
            "that spread propaganda. The accounts had about half a million followers. Guinea, "
            "Cameroon and Madagascar were among the countries reached by the posts.")
    r = tag(text, lang="en")
    assert {("Russia", c) for c in ("Guinea", "Cameroon", "Madagascar")} <= set(_dyads(r))
    assert all(d.rule.startswith("dyad:story") for d in r.dyads if d.partner == "Guinea")
    with_power = tag("Operation Barkhane is a French counter-terrorism force based in Chad. "
                     "Also part of Barkhane are the armies of Mauritania, Mali and Niger.",
                     lang="en")
    assert {"Mauritania", "Mali", "Niger"} <= set(with_power.partners)


def test_the_story_ends_after_a_paragraph_or_with_two_powers_in_it():
    far = tag("Russia has opened a military base in the Central African Republic. It has a "
              "runway. It has hangars. It has a fence. It has a gate. Guinea and Ghana were "
              "named in the report.", lang="en")
    assert "Guinea" not in far.partners
    two = tag("Russia opened a training camp in Mali. Turkey delivered drones to Togo. The "
              "weather in Ghana and Benin was mild.", lang="en")
    assert "Ghana" not in two.partners
    new_paragraph = tag("A platform removed networks of accounts run from Russia that spread "
                        "propaganda.\n\nGuinea and Cameroon held elections the same month.",
                        lang="en")
    assert new_paragraph.partners == []


def test_forces_working_with_the_host_army_are_military_cooperation():
    r = tag("Les militaires rwandais opèrent en coordination avec les forces armées "
            "mozambicaines au Mozambique.", lang="fr")
    assert "military_cooperation" in r.themes
    en = tag("U.S. commandos fly into Somalia to advise and assist partner forces.", lang="en")
    assert "military_cooperation" in en.themes


def test_a_list_of_theatres_abroad_is_a_record_not_a_partner():
    text = ("Bamako has turned to the Russian mercenary outfit Wagner, already known for its "
            "operations in Ukraine, Syria and Libya.")
    r = tag(text, lang="en")
    assert r.partners == ["Mali"]
    assert ("Wagner Group", "Libya") not in _dyads(r)
    fr = tag("Des instructeurs russes sont arrivés au Burkina Faso, après des missions en "
             "Afghanistan, en Irak et en Libye.", lang="fr")
    assert fr.partners == ["Burkina Faso"]
    # two places are a comparison, not a record: the news about Libya stands
    pair = tag("Turkey sold drones that changed the war, as they did in Ukraine and in Libya, "
               "where Turkish aircraft helped the Tripoli government.", lang="en")
    assert "Libya" in pair.partners


def test_who_speaks_and_where_it_was_said_are_not_themes():
    quoted = tag("Russian instructors train Central African soldiers, the Russian ambassador "
                 "told reporters in Bangui.", lang="en")
    assert quoted.themes == ["training"]
    source = tag("According to the French foreign minister, French troops left Niger last "
                 "week.", lang="en")
    assert "diplomacy" not in source.themes
    assert "troop_withdrawal" in source.themes
    inverted = tag("Les soldats américains ont quitté la base de Niamey, a précisé l'Africom "
                   "dans un communiqué.", lang="fr")
    assert "diplomacy" not in inverted.themes
    assert "base" in inverted.themes
    # the same words are a theme when the power does them
    visit = tag("The Russian ambassador met the Malian president in Bamako.", lang="en")
    assert "diplomacy" in visit.themes
    # 'it says' inside a clause: the speaker is the pronoun, the clause stays the news
    aside = tag("US sanctions gold firms it says fund Wagner in Mali", lang="en")
    assert "economic" in aside.themes


def test_a_posture_word_belongs_to_the_power_named_nearest_it():
    r = tag("A deployment of Wagner fighters in Mali would not sit well with the presence "
            "of French troops in the country.", lang="en")
    assert ("France", "Mali") in _dyads(r)


def test_the_hosts_insurgency_is_the_setting_not_a_security_incident():
    where = tag("Rwanda has sent 2,000 more soldiers to Mozambique's Cabo Delgado province, "
                "where an Islamist insurgency has left thousands dead.", lang="en")
    assert "security_incident" not in where.themes
    assert "troop_deployment" in where.themes
    fight = tag("Russian instructors are fighting the jihadist insurgency in central Mali.",
                lang="en")
    assert "security_incident" not in fight.themes
    assert "training" in fight.themes
    fr = tag("Des instructeurs russes appuient l'armée malienne dans ses combats contre les "
             "groupes djihadistes.", lang="fr")
    assert "security_incident" not in fr.themes
    # an attack by or on the power is an incident, even in a relative clause naming it
    theirs = tag("Mali hosts Russian instructors, who were ambushed near Gao last week.",
                 lang="en")
    assert "security_incident" in theirs.themes
    alongside = tag("Rwandan soldiers are fighting alongside M23 rebels in the eastern "
                    "Democratic Republic of the Congo.", lang="en")
    assert "security_incident" in alongside.themes


def test_a_link_to_another_article_is_not_this_story():
    text = ("La France a retiré ses derniers soldats du Tchad.\n\n>>> LIRE AUSSI : La Russie "
            "envisage d'ouvrir une base militaire au Niger")
    r = tag(text, lang="fr")
    assert r.partners == ["Chad"]
    assert "base" not in r.themes
    en = tag("French troops left Chad in January.\n\nRead more on a French broadcaster: "
             "Turkey delivers drones to Niger", lang="en")
    assert en.partners == ["Chad"]
    assert "arms_transfer" not in en.themes


def test_words_that_only_look_like_theme_cues():
    r = tag("The Wagner Group, founded by a Russian businessman, sent fighters to Mali in an "
            "important escalation.", lang="en")
    assert "economic" not in r.themes
    fr = tag("La Russie a déployé des instructeurs en Centrafrique, pays pauvre d'Afrique "
             "centrale.", lang="fr")
    assert "economic" not in fr.themes
    hub = tag("Russia uses the Libyan airbase as a staging post for its forces in Mali.",
              lang="en")
    assert "information" not in hub.themes


def test_a_route_or_a_coast_is_not_a_partner():
    r = tag("French armoured vehicles will leave Niger and be shipped home via the Beninese "
            "port of Cotonou.", lang="en")
    assert r.partners == ["Niger"]
    fr = tag("La marine chinoise patrouille au large de la Somalie et dispose d'une base "
             "militaire à Djibouti.", lang="fr")
    assert fr.partners == ["Djibouti"]
    # near a town of the country is still in it
    near = tag("La Turquie a ouvert une base militaire près de la capitale somalienne, "
               "Mogadiscio.", lang="fr")
    assert near.partners == ["Somalia"]


def test_a_support_facility_is_a_base_not_military_cooperation():
    r = tag("China has started building support facilities for its navy in Djibouti, the "
            "first of its military installations abroad.", lang="en")
    assert "military_cooperation" not in r.themes
    assert "base" in r.themes
    helped = tag("Russia will support the Malian army with military advisers.", lang="en")
    assert "military_cooperation" in helped.themes


def test_a_powers_own_weapons_at_work_are_not_an_arms_transfer():
    own = tag("US drones that fly from Niger carry out strikes across the Sahel, and French "
              "fighter jets left Chad last week.", lang="en")
    assert "arms_transfer" not in own.themes
    sold = tag("Turkey delivered six drones to Niger last month.", lang="en")
    assert "arms_transfer" in sold.themes
    moved = tag("La Turquie a déployé des conseillers militaires et des drones en Libye.",
                lang="fr")
    assert "arms_transfer" in moved.themes
