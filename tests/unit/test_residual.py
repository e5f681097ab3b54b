"""Residual boilerplate rules: each rule drops a real line and keeps a real one."""

from __future__ import annotations

import pytest

from corpusclean.extract.residual import (
    ResidualReason,
    agency_of,
    boilerplate_reason,
    caption_credit_end,
    image_credit_of,
    is_contact_line,
    is_credited_caption,
    related_headline,
    strip_residual,
)

DROP = [
    ("2 min read", ResidualReason.READ_TIME),
    ("5 Min Read", ResidualReason.READ_TIME),
    ("Lesezeit: 4 Minuten", ResidualReason.READ_TIME),
    ("SOURCE:AA", ResidualReason.SOURCE_LINE),
    ("Quelle: dpa", ResidualReason.SOURCE_LINE),
    (
        "RelatedTRT Global - Istanbul talks: Ukraine, Russia agree on major prisoner, body exchange deal",
        ResidualReason.RELATED,
    ),
    ("RECOMMENDED", ResidualReason.RELATED),
    ("READ MORE: Trump says Iran 'wants to talk'", ResidualReason.RELATED),
    ("Leia também: Calendário da Stock Car 2018", ResidualReason.RELATED),
    ("Baca juga: Jangan membenci satu kaum", ResidualReason.RELATED),
    ("관련기사", ResidualReason.RELATED),
    ("Subscribe", ResidualReason.SUBSCRIBE),
    ("Sign up for our daily newsletter", ResidualReason.SUBSCRIBE),
    ("Share on Facebook", ResidualReason.SHARE),
    ("Share this article", ResidualReason.SHARE),
    ("Our website uses cookies to improve its performance and enhance your user experience.", ResidualReason.COOKIE),
    (
        "We and our partners use cookies to personalise content and ads and to analyse our traffic; you can"
        " change your choice at any time in the privacy centre linked at the foot of every page we publish.",
        ResidualReason.COOKIE,
    ),
    ("Accept & Close", ResidualReason.COOKIE),
    ("CLICK HERE TO GET THE FOX NEWS APP", ResidualReason.APP_PROMO),
    ("ADVERTISEMENT", ResidualReason.ADVERTISEMENT),
    ("Story continues below advertisement", ResidualReason.ADVERTISEMENT),
    ("© 2019 Reuters. All Rights Reserved.", ResidualReason.COPYRIGHT),
    ("Copyright ⓒ Entermedia.co.kr. 무단전재 및 재배포금지", ResidualReason.COPYRIGHT),
    ("34 responses to “ Anthony Lynn: We needed to win this game ”", ResidualReason.COMMENTS),
    ("Leave a Reply", ResidualReason.COMMENTS),
    ("sammievee says:", ResidualReason.COMMENTS),
    ("Foto: dpa", ResidualReason.IMAGE_CREDIT),
    ("Photo: Reuters", ResidualReason.IMAGE_CREDIT),
    ("Image caption Dock workers unload the first shipment at Ashby harbour on Monday", ResidualReason.IMAGE_CREDIT),
    ("Media caption The mayor explains why the ferry will stop in March", ResidualReason.IMAGE_CREDIT),
    ("Image copyright Getty Images", ResidualReason.IMAGE_CREDIT),
    ("Photograph: Ina Sorel/Getty Images", ResidualReason.IMAGE_CREDIT),
    ("Getty Images", ResidualReason.IMAGE_CREDIT),
    ("Shutterstock", ResidualReason.IMAGE_CREDIT),
    ("Image via Getty Images", ResidualReason.IMAGE_CREDIT),
    ("Image source, Getty Images", ResidualReason.IMAGE_CREDIT),
    ("Photo illustration by the Herald. Photo by Ina Sorel.", ResidualReason.IMAGE_CREDIT),
    ("Click to share on Facebook (Opens in new window)", ResidualReason.LINK_PROMPT),
    ("GET THE HERALD ON THE GO BY CLICKING HERE", ResidualReason.LINK_PROMPT),
    (
        "Get Tri-County Cycling delivered to your door every month. 12 issues for £11.99. Click here for more"
        " information.",
        ResidualReason.LINK_PROMPT,
    ),
    (
        "Clique na imagem acima e veja a classificação completa do campeonato depois da última etapa.",
        ResidualReason.LINK_PROMPT,
    ),
    ("Tags: Kremlin, Ukraine, Istanbul talks", ResidualReason.TAGS),
    ("Previous article", ResidualReason.PAGER),
    ("Compartir en WhatsApp", ResidualReason.SHARE),
    ("Partager sur Facebook", ResidualReason.SHARE),
    ("Teilen auf X", ResidualReason.SHARE),
    ("You may also like...", ResidualReason.RELATED),
    ("Explore further", ResidualReason.RELATED),
    ("Most read in world news", ResidualReason.RELATED),
    ("Tags", ResidualReason.TAGS),
    ("Follow Newsbeat on Instagram, Facebook, Twitter and YouTube.", ResidualReason.SUBSCRIBE),
    (
        "Get the day’s top headlines delivered to your inbox every morning by subscribing to our newsletter.",
        ResidualReason.SUBSCRIBE,
    ),
    ("Get the latest updates right in your inbox. Subscribe to NJ.com’s newsletters.", ResidualReason.SUBSCRIBE),
    ("Thanks for signing up!", ResidualReason.SUBSCRIBE),
    ("There was an error processing your subscription.", ResidualReason.SUBSCRIBE),
    (
        "Reporting by Rodrigo Campos; additional reporting by Stephanie Kelly; Editing by Nick Zieminski",
        ResidualReason.STAFF_CREDIT,
    ),
    (
        "This material may not be published, broadcast, rewritten, or redistributed. ©2019 Harbor News Network,"
        " LLC. All rights reserved. All market data delayed 20 minutes.",
        ResidualReason.DISCLAIMER,
    ),
    (
        "The material on this site may not be reproduced, distributed, transmitted, cached or otherwise used,"
        " except with the prior written permission of Valley Media Group.",
        ResidualReason.DISCLAIMER,
    ),
    (
        "This document is subject to copyright. Apart from any fair dealing for the purpose of private study or"
        " research, no part may be reproduced without the written permission. The content is provided for"
        " information purposes only.",
        ResidualReason.DISCLAIMER,
    ),
    (
        "All quotes delayed a minimum of 15 minutes. See here for a complete list of exchanges and delays.",
        ResidualReason.DISCLAIMER,
    ),
    (
        "Quotes delayed at least 15 minutes. Real-time quotes provided by BATS BZX Real-Time Price. Market Data"
        " provided by Interactive Data.",
        ResidualReason.DISCLAIMER,
    ),
    (
        "Citation: Sleeping crews would need smaller ships (2019, November 18) retrieved 20 November 2019 from"
        " https://example.org/news/2019-11-sleeping-crews.html",
        ResidualReason.DISCLAIMER,
    ),
]

KEEP = [
    "Kremlin spokesman Dmitry Peskov said on Tuesday that agreements reached were important.",
    "Related parties were not named in the filing.",
    "Share prices fell sharply on Monday after the announcement.",
    "Compartir en familia es lo más importante, dijo la alcaldesa.",
    "Subscribers to the service will pay $11.99 a month from December.",
    "Ready for high-level contacts",
    "Sign up for a Hulu ad-free account for $11.99 a month",
    "The source of the leak has not been identified, officials said.",
    "Comments made by the minister on Monday drew criticism from the opposition.",
    "Photos which were released online show the actress at the event.",
    "Reading the report, one sees how the cookie jar was emptied long before the audit.",
    "Image copyright law differs from country to country, the court said.",
    "A single click was enough to delete the files, the engineer told the court.",
    "Clicks and views fell by a third after the change to the search page.",
    "Image captions are written by the picture desk, not by the reporter.",
    "Getty Images bought the archive in 2019, the company said.",
    "Photographs of the mill from 1910 hang in the county offices.",
    "Photo illustrations were banned from the front page in 1998.",
    "Tags on the recovered turtles showed that most had nested on the island before.",
    "Follow-up checks on the bridge found no further damage, the council said.",
    "The newsletter, which she started in 2019, now has 40,000 readers and a paid tier.",
    "Explorers further north reported the ice was thinner than in any year on record.",
    (
        "Facebook and other tech companies often deflect accusations against excessive data collection by arguing"
        ' "consent" — that they harvest and use data with the permission of users who agreed to their terms, a'
        " claim that does not hold for people who never signed up."
    ),
    "Reporting by the local paper in 2019 first raised questions about the contract and its costs.",
    # Reuse and market-data notices need the notice's own subject or opening.
    "The results may not be reproduced in other laboratories, the reviewers warned in their report.",
    "The report may not be published until the committee has voted on it, a spokesman said.",
    "Market data provided by the exchange showed trading volumes fell by a third in October.",
    "The flight was delayed by two hours after a citation was issued to the crew for a safety breach.",
    "He said the quotes delayed the deal because both sides wanted to check them with their lawyers.",
    "The photograph is subject to copyright, the judge ruled, and the agency must be paid for its use.",
    # Prose about cookies, not a banner: "use" is not said of the site.
    (
        "It can’t be denied, though, that these tools are harder to use than the web browsers most people are"
        " accustomed to, and they create barriers to some online activities. (For example, logging in to some"
        " sites and accessing some web applications is impossible without third-party cookies.)"
    ),
]


@pytest.mark.parametrize(("line", "reason"), DROP)
def test_boilerplate_line_is_dropped(line: str, reason: ResidualReason) -> None:
    assert boilerplate_reason(line) is reason


@pytest.mark.parametrize("line", KEEP)
def test_article_line_is_kept(line: str) -> None:
    assert boilerplate_reason(line) is None


def test_long_lines_are_never_labels() -> None:
    line = "Share " + "prices moved in a narrow range as traders waited for the data. " * 4
    assert boilerplate_reason(line) is None


def test_related_headline_drops_label_and_site_prefix() -> None:
    line = "RelatedTRT Global - Istanbul talks: Ukraine, Russia agree on major prisoner, body exchange deal"
    assert related_headline(line) == "Istanbul talks: Ukraine, Russia agree on major prisoner, body exchange deal"
    assert related_headline("RECOMMENDED") is None
    assert related_headline("Kremlin spokesman Dmitry Peskov said on Tuesday") is None


def test_agency_from_source_line_and_dateline() -> None:
    assert agency_of("SOURCE:AA") == "AA"
    assert agency_of("NEW YORK (Reuters) - Oil prices fell sharply on Tuesday") == "Reuters"
    assert agency_of("Oil prices fell sharply on Tuesday (in New York) on oversupply concerns") is None


def test_image_credit_forms() -> None:
    assert image_credit_of("Photo: Reuters", allow_tail=False) == "Reuters"
    assert image_credit_of("Foto: dpa", allow_tail=False) == "dpa"
    caption = "Kremlin dismissed the idea of a quick presidential summit. / AP"
    assert image_credit_of(caption, allow_tail=True) == "AP"
    assert image_credit_of(caption, allow_tail=False) is None
    assert image_credit_of("Image copyright Getty Images", allow_tail=False) == "Getty Images"
    assert image_credit_of("Photograph: Ina Sorel/Getty Images", allow_tail=False) == "Ina Sorel/Getty Images"
    assert image_credit_of("Image via Getty Images", allow_tail=False) == "Getty Images"
    assert image_credit_of("Shutterstock", allow_tail=False) == "Shutterstock"
    assert image_credit_of("The mill at dawn", allow_tail=False) is None


@pytest.mark.parametrize(
    ("line", "credit"),
    [
        ("Dock workers unload the first shipment at Ashby harbour, Fla. (AP Photo/Carla Mendel, File)",
         "AP Photo/Carla Mendel, File"),
        ("The flooded square in Ashby on Monday morning (Image: GETTY)", "GETTY"),
        ("Harbour master Ina Sorel (AFP)", "AFP"),
        ("A stock image of a ferry in fog. The service will stop in March. Getty Images", "Getty Images"),
        ("Trade ministers meet in Ashby (Reuters/Kevin Olam)", "Reuters/Kevin Olam"),
        ("Ina Sorel celebrates a point in Ashby, Tuesday, Nov. 18, 2025. (Manu Ferrer/AP)", "Manu Ferrer/AP"),
        ("The Herons won 5-4. (AP Photo/Gene Ruiz) less", "AP Photo/Gene Ruiz"),
        ("Tri-County Sheriff's Office via AP", "AP"),
        ("Ina Sorel | Bloomberg | Getty Images", "Ina Sorel | Bloomberg | Getty Images"),
        ("Voters queue in Ashby on Tuesday. (Photo by Ina Sorel/Getty Images)", "Ina Sorel/Getty Images"),
        ("The ferry leaves Ashby at dawn. Photograph: Ina Sorel/Getty Images", "Ina Sorel/Getty Images"),
        ("Die Fähre verlässt Ashby im Morgengrauen. Bild: dpa", "dpa"),
        ("The mill in 1910 — Photo: Tri-County Archive", "Tri-County Archive"),
        ("The probe passes Europa, an artist's impression. Image credit: ESA", "ESA"),
        ("The mill in 1910 (Photo credit: Tri-County Archive)", "Tri-County Archive"),
        ("The mill in 1910. Courtesy of Tri-County Archive", "Courtesy of Tri-County Archive"),
        ("The mill in 1910 (Courtesy of Tri-County Archive)", "Tri-County Archive"),
        ("The ferry at dawn. Photo by Ina Sorel on Unsplash", "Photo by Ina Sorel on Unsplash"),
        ("Ina Sorel at the harbour (Supplied: Tri-County Council)", "Tri-County Council"),
        ("Ina Sorel at the harbour (Supplied)", "Supplied"),
        ("The mill in 1910 [Photo: Tri-County Archive]", "Tri-County Archive"),
        ("Voters queue in Ashby. (Ina Sorel/The Washington Post)", "Ina Sorel/The Washington Post"),
        ("A ferry in fog (iStock)", "iStock"),
        ("Traders work on the floor in New York, U.S., November 18, 2025. REUTERS/Tomas Reyes", "REUTERS/Tomas Reyes"),
        ("The ferry was stopped in March after the storm Credit: Tri-County Herald", "Tri-County Herald"),
        ("Ina Sorel Submitted photo", "Submitted photo"),
    ],
)  # fmt: skip
def test_caption_ending_in_its_credit(line: str, credit: str) -> None:
    assert caption_credit_end(line) == credit


@pytest.mark.parametrize(
    "line",
    [
        "Die elektronische Patientenakte (ePA)",  # an abbreviation, not the agency EPA
        "The ratio rose to 3.2 last year (see the chart below)",
        "Store credit: 20 dollars for every returned bottle",
        "The mayor called the plan a picture-perfect compromise; the credit: the county's lawyers.",
        "The grant came from the state (courtesy of a 2019 law)",
        "Water was supplied by the county (supplied free of charge)",
        "The ratio of input/output fell (see the Input/Output table)",
        "News/Politics",
        "The council bought the photo (by far its largest purchase)",
        "The deal was first reported by AP/Ipsos pollsters",
        "The vote was 5 | 4 | 1, the clerk said.",
        "He said the agency had been warned twice (AP reported the first warning in May).",
        "The photo was taken in 1962, long before the mill closed.",
    ],
)
def test_prose_ending_in_brackets_is_not_a_credited_caption(line: str) -> None:
    assert caption_credit_end(line) is None
    assert not is_credited_caption(line)


def test_credit_label_after_the_caption_and_wire_caption_leads() -> None:
    assert caption_credit_end("The ferry leaves Ashby at dawn. Credit: Tri-County Herald") == "Tri-County Herald"
    assert caption_credit_end("Voters queue in Ashby. Credit... Ina Sorel/The Herald") == "Ina Sorel/The Herald"
    assert is_credited_caption("In this Nov. 5, 2025, file photo, the old mill stands empty on River Road.")
    assert is_credited_caption("This March 28, 2025, photo provided by the county shows the mill's roof.")
    # Prose about photos, and a credit word inside a sentence, are not captions.
    assert not is_credited_caption("This photo shows how little of the mill was left after the fire.")
    assert not is_credited_caption("In this photo essay, our reporters follow the ferry for a week.")
    assert not is_credited_caption("The credit: a loan from the state, repaid over ten years.")


def test_wire_caption_dated_mid_sentence() -> None:
    caption = "Mayor Ina Sorel speaks during a council meeting, Tuesday, Nov. 18, 2025, in Ashby."
    assert is_credited_caption(caption)
    assert not is_credited_caption("The council met on Tuesday, Nov. 18, 2025, and voted to keep the mill.")


def test_long_legal_footer_is_copyright_short_prose_is_not() -> None:
    footer = (
        "© 2025 Tri-County Herald, LLC. All rights reserved. Tri-County Herald is the owner of the Herald and "
        "Herald Weekly trademarks, and all related designs, trade dress, logos and marks are the property of "
        "their respective owners."
    )
    assert len(footer) > 160
    assert boilerplate_reason(footer) is ResidualReason.COPYRIGHT
    assert boilerplate_reason("(c) the applicant must file the form within 30 days of the decision.") is None
    prose = (
        "Copyright law in the state changed in 2019, the court said, and the ruling on the mill's photographs, "
        "which the county had used without asking, stands until the appeal is heard next spring."
    )
    assert len(prose) > 160
    assert boilerplate_reason(prose) is None


def test_contact_line() -> None:
    assert is_contact_line("Have a tip? Ina Sorel may be reached at isorel@example.com. Follow her on Twitter @isorel.")
    assert not is_contact_line("The mayor could not be reached for comment on Tuesday.")
    assert is_contact_line("Ina Sorel is a reporter for the Tri-County Herald.")
    assert is_contact_line("Tomas Reyes (treyes@example.com) is the editor and publisher of The Ferry Review.")
    assert not is_contact_line("The mill's owner is a former reporter who bought it in 1998.")


def test_strip_residual_on_html_paragraphs() -> None:
    paragraphs = [
        "Talks with Ukraine yield progress but no quick end: Kremlin",
        "NEW YORK (Reuters) - Kremlin spokesman Dmitry Peskov said on Tuesday that agreements were important.",
        "RelatedTRT Global - Erdogan hails Russia-Ukraine peace talks in Istanbul as 'significant achievement'",
        "Ready for high-level contacts",
        "Photo: Reuters",
        "SOURCE:AA",
        "",
    ]
    result = strip_residual(paragraphs, title="Talks with Ukraine yield progress but no quick end: Kremlin")
    assert result.kept == (paragraphs[1], paragraphs[3])
    assert result.reasons == (
        ResidualReason.TITLE_REPEAT,
        ResidualReason.RELATED,
        ResidualReason.IMAGE_CREDIT,
        ResidualReason.SOURCE_LINE,
    )
    assert result.source_agency == "AA"  # the explicit source line wins over the dateline
    assert result.image_credits == ("Reuters",)
    assert result.related == ("Erdogan hails Russia-Ukraine peace talks in Istanbul as 'significant achievement'",)
