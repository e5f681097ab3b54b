"""Residual boilerplate: single lines that are page furniture in any extractor's output.

Both extraction paths end with a list of paragraph-like lines: the text-dump cleaner
(:mod:`corpusclean.extract.textdump`) and the HTML path (trafilatura output split on blank
lines). Some lines survive either extractor although no article contains them as prose:
"Related: ..." teasers, "2 min read", share/subscribe/cookie prompts, "SOURCE:AA", copyright
lines, and repeats of the title or standfirst. This module decides those lines one at a
time, without a model, so the HTML path can reuse it as is.

The rules are anchored keyword patterns in several languages plus a length cap: a keyword
alone is not enough, because "Share prices fell ..." or "Related parties ..." open real
sentences. A rule only fires when the line is short enough to be a label or a teaser.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType


class ResidualReason(StrEnum):
    """Why a line was dropped as boilerplate (counted in reports)."""

    TITLE_REPEAT = "title_repeat"
    SUBTITLE_REPEAT = "subtitle_repeat"
    READ_TIME = "read_time"
    RELATED = "related"
    SUBSCRIBE = "subscribe"
    SHARE = "share"
    COOKIE = "cookie"
    APP_PROMO = "app_promo"
    ADVERTISEMENT = "advertisement"
    COPYRIGHT = "copyright"
    SOURCE_LINE = "source_line"
    COMMENTS = "comments"
    IMAGE_CREDIT = "image_credit"
    TAGS = "tags"
    PAGER = "pager"
    BYLINE = "byline"  # byline or dateline above the body
    LINK_HEADLINE = "link_headline"  # the whole text of a link: another story's headline
    RELEASE_TRAILER = "release_trailer"  # "###" and the issuer's "About ..." block after it
    STAFF_CREDIT = "staff_credit"  # "Reporting by ...; Editing by ..."
    CLOSING_SECTION = "closing_section"  # a late "Related"/"Comments"/"Tags" label and all below it
    CONTACT_TRAILER = "contact_trailer"  # "... may be reached at ...", "Follow him on Twitter" at the end
    MARKUP = "markup"  # template residue: "[button ...][/button]" shortcodes, CSS class names
    LINK_PROMPT = "link_prompt"  # "Click here to ...", "Clique na imagem ...": a prompt to follow a link
    DISCLAIMER = "disclaimer"  # reuse notices, market-data notices, "Citation: ... retrieved ... from https://..."


@dataclass(frozen=True, slots=True)
class ResidualResult:
    """What :func:`strip_residual` made of a list of paragraphs.

    `removed` and `reasons` are parallel; the metadata fields are read off the dropped lines
    (a "SOURCE:AA" line, a "Related..." teaser, a "Photo: Reuters" credit) and the kept
    ones (a "(Reuters) -" dateline), so nothing the page said is lost with the line.
    """

    kept: tuple[str, ...]
    removed: tuple[str, ...] = ()
    reasons: tuple[ResidualReason, ...] = ()
    source_agency: str | None = None
    image_credits: tuple[str, ...] = ()
    related: tuple[str, ...] = ()


# A label or teaser is short; real sentences that happen to start with a keyword are
# usually longer, so most rules only fire below this many characters.
SHORT_LINE_CHARS = 160
# Cookie and consent banners are long sentences, so they get a larger cap.
CONSENT_LINE_CHARS = 600

_READ_TIME = re.compile(
    r"""^(?:
        (?:reading\s+time|lesezeit|tempo\s+de\s+leitura|temps\s+de\s+lecture|tiempo\s+de\s+lectura)
            \s*:?\s*\d+\s*\w*
      | \d+\s*(?:-\s*)?(?:min(?:ute)?s?|minuten|minutos|minuti)\.?\s*
            (?:read|reading|de\s+lecture|lesezeit|lesen|de\s+leitura|de\s+lectura|di\s+lettura|baca)?
      | \d+\s*분\s*(?:읽기|소요)?
      | 閱讀時間.*|阅读时间.*|\d+\s*分で読めます
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)

# "Related", "READ MORE:", "See also" and their siblings, glued to the headline or not
# ("RelatedTRT Global - ..." is what an inline related box renders to).
_RELATED = re.compile(
    r"""^(?:
        related(?:\s+(?:articles?|stories|content|posts?|news|coverage|links?|reading|topics?))?
      | read\s+(?:more|also|next|this)|also\s+read|more\s+reading|further\s+reading
      | see\s+also|you\s+(?:may|might)\s+(?:also\s+)?(?:like|be\s+interested|enjoy)
      | recommended(?:\s+(?:for\s+you|stories|articles|reading|videos?))?
      | more\s+(?:from|on|stories|news|in|about)\b.*
      | most\s+(?:read|popular|viewed|shared|watched)(?:\s+in\s+\w+(?:\s+\w+)?)?
      | explore\s+further
      | trending(?:\s+now|\s+stories)?|editor'?s?\s+picks?|top\s+stories|don'?t\s+miss
      | lire\s+aussi|à\s+lire\s+(?:aussi|également)|voir\s+aussi|sur\s+le\s+même\s+sujet
      | leia\s+(?:também|mais)|veja\s+(?:também|mais)|saiba\s+mais|mais\s+lidas
      | lesen\s+sie\s+auch|mehr\s+zum\s+thema|auch\s+interessant|weitere\s+artikel|meistgelesen
      | lee\s+(?:también|más)|ver\s+también|te\s+puede\s+interesar|más\s+leídas|noticias\s+relacionadas
      | leggi\s+anche|potrebbe\s+interessarti|articoli\s+correlati|i\s+più\s+letti
      | baca\s+juga|artikel\s+terkait|berita\s+terkait
      | lees\s+ook|zie\s+ook|czytaj\s+(?:też|także)|читайте\s+также|читать\s+также
      | 관련\s*기사|추천\s*기사|많이\s*본\s*뉴스|関連記事|相关阅读|相關閱讀|相关新闻|延伸阅读|延伸閱讀
    )(?=\s*$|\s*[:：\-–—|»›>]|\s*(?:\.\.\.|…)\s*$|[A-Z0-9"“'‘(\[])""",
    re.IGNORECASE | re.VERBOSE,
)

_SUBSCRIBE = re.compile(
    r"""^(?:
        subscribe|sign\s+up(?:\s+(?:now|here|today|for\s+(?:our|the|free)|to\s+(?:our|receive|get)))?\s*[.!:]?$
      | sign\s+up\s+for\s+(?:our|the)\s+.{0,40}newsletter|get\s+(?:our|the)\s+\w+\s*(?:newsletter|briefing)|newsletter
      | join\s+(?:our|the)\s+(?:newsletter|mailing\s+list)|register\s+(?:now|for\s+free)
      | already\s+a\s+subscriber|become\s+a\s+(?:member|subscriber)|support\s+(?:our|independent)\s+journalism
      | follow\s+(?:us|@|[^.!?]{1,60}?\s+on\s+(?:twitter|facebook|instagram|youtube|linkedin|tiktok|threads|x)\b)
      | like\s+us\s+on|abonnieren|jetzt\s+abonnieren|s'abonner|abonnez-vous
      | assine|inscreva-se|suscríbete|suscribirse|iscriviti|abbonati|berlangganan|구독
    )\b""",
    re.IGNORECASE | re.VERBOSE,
)

_SHARE = re.compile(
    r"""^(?:
        share(?:\s+(?:this|on|via|the))?(?:\s+(?:article|story|page|post))?|tweet|pin\s+it|e-?mail(?:\s+this)?
      | print(?:\s+this)?|copy\s+link|copy\s+url|get\s+short\s+url|whatsapp|facebook|twitter|linkedin
      | reddit|pinterest|telegram|flipboard|messenger
      | (?:compartilhe|compartilhar|partager|teilen|compartir|condividi|bagikan)
        (?:\s+(?:en|sur|auf|no|na|em|su|ke|via))?|공유
    )(?:\s*[:|,/·•]?\s*(?:facebook|twitter|x|linkedin|whatsapp|e-?mail|reddit|pinterest|print|tweet|
        share|telegram|messenger|flipboard|copy\s+link|sms)\b)*\s*[:!.]?\s*(?:\d+\s*)?$""",
    re.IGNORECASE | re.VERBOSE,
)

_COOKIE = re.compile(
    r"cookie|privacy\s+policy|datenschutz|política\s+de\s+privacidad|política\s+de\s+privacidade"
    r"|politique\s+de\s+confidentialité|informativa\s+(?:sulla\s+)?privacy|consent",
    re.IGNORECASE,
)
# "use" alone is too common in prose about cookies ("harder to use without third-party
# cookies"); a banner says who uses them or how ("we use", "this site uses", "use of cookies").
_COOKIE_ACTION = re.compile(
    r"\b(?:(?:we|site|website|partners)\s+(?:\w+\s+)?use|uses|use\s+of|using\s+(?:this|our)"
    r"|accept|agree|consent|continu\w*|settings|policy|akzeptier\w*|utilis\w*"
    r"|usamos|utilizamos|utilizziamo|aceit\w*|acept\w*|accett\w*|zustimm\w*)\b",
    re.IGNORECASE,
)
_CONSENT_BUTTON = re.compile(
    r"^(?:accept|accept\s*(?:&|and)\s*close|accept\s+all|i\s+agree|agree|got\s+it|ok,?\s*i\s+understand"
    r"|reject\s+all|manage\s+(?:preferences|cookies|settings)|alle\s+akzeptieren|tout\s+accepter"
    r"|aceitar|aceptar|accetta)\s*[.!]?$",
    re.IGNORECASE,
)

_APP_PROMO = re.compile(
    r"^(?:click\s+here\s+to\s+(?:get|download)|download\s+(?:the|our)\s+.{0,40}\bapp\b"
    r"|get\s+the\s+.{0,40}\bapp\b)",
    re.IGNORECASE,
)

_ADVERTISEMENT = re.compile(
    r"^(?:advertisement|advertising|ad|sponsored(?:\s+content|\s+links?)?|story\s+continues\s+below"
    r"|article\s+continues\s+below|continue\s+reading\s+below|anzeige|werbung|publicidade|publicité"
    r"|publicidad|pubblicità|iklan|광고|広告|广告|paid\s+content|partner\s+content)"
    r"(?:\s*[-:–—]?\s*(?:advertisement|story\s+continues\s+below|continue\s+reading.*))?\s*$",
    re.IGNORECASE,
)

_COPYRIGHT = re.compile(
    r"^(?:©|\(c\)\s*\d{4}|copyright\b|ⓒ)"
    r"|\b(?:all\s+rights\s+reserved|alle\s+rechte\s+vorbehalten|todos\s+os\s+direitos\s+reservados"
    r"|tous\s+droits\s+réservés|todos\s+los\s+derechos\s+reservados|tutti\s+i\s+diritti\s+riservati"
    r"|hak\s+cipta|무단\s*전재|無断転載|版权所有|版權所有)",
    re.IGNORECASE,
)
# A line that opens with the copyright sign and a year is the site's legal footer at any length
# ("© 2019 Beachbody, LLC. All rights reserved. Beachbody, LLC is the owner of ...").
_COPYRIGHT_LEAD = re.compile(
    r"^(?:©|ⓒ|copyright\s*(?:©|\(c\)))\s*(?:\d{4}|[^\W\d_])|^(?:\(c\)|copyright)\s*\d{4}\b", re.IGNORECASE
)

# Newsletter pitches are whole sentences ("Get the day's top headlines delivered to your inbox
# every morning by subscribing to our newsletter."), so they are matched anywhere in a line
# up to this length, and only when a sign-up verb and a newsletter word meet.
PROMO_LINE_CHARS = 240
_SIGNUP = re.compile(
    r"\b(?:sign(?:ing)?\s+up|subscrib(?:e|ing))\b.{0,80}?\b(?:newsletters?|inbox|e-?mail\s+updates)\b"
    r"|\b(?:newsletters?|inbox)\b.{0,80}?\b(?:sign(?:ing)?\s+up|subscrib(?:e|ing))\b"
    r"|\b(?:delivered|straight|right)\s+(?:\w+\s+)?(?:to|in)\s+your\s+inbox\b"
    r"|^thanks\s+for\s+(?:signing\s+up|subscribing)|error\s+processing\s+your\s+subscription",
    re.IGNORECASE,
)
_SIGNUP_TOKENS = ("newsletter", "inbox", "subscri", "sign up", "signing up")
# Prompts to follow a link are whole sentences too ("Get Motor Cycle Monthly delivered every
# month. Click here for more information.", "Clique na imagem acima e veja ..."): an article's
# text never tells the reader to click. Matched up to PROMO_LINE_CHARS.
_LINK_PROMPT = re.compile(
    r"^(?:click|clique|cliquez|tap|haga\s+clic|klicken\s+sie)\s+"
    r"(?:here|aqui|ici|hier|on|na|no|nas|nos|e|em|to|the|below|above)\b"
    r"|\bclick(?:ing)?\s+here\b|\bclique\s+aqui\b|\bcliquez\s+ici\b|\bklicken\s+sie\s+hier\b",
    re.IGNORECASE,
)
# Site notices that are sentences of any length: reuse terms ("This material may not be published,
# broadcast, rewritten or redistributed.", "No part of this site may be reproduced ...", "This
# document is subject to copyright."), market-data notices ("Quotes delayed at least 15 minutes.",
# "Most stock quote data provided by ...") and the citation block of science sites ("Citation: Title (2019,
# November 18) retrieved 20 November 2019 from https://..."). Each needs the notice's own subject,
# so prose ("the results may not be reproduced") never matches.
_DISCLAIMER = re.compile(
    r"\b(?:this|the|our)\s+(?:material|content|article|document|story|publication|site|website|page)"
    r"(?:\s+(?:on|of)\s+this\s+(?:site|website|page))?\s+(?:may|must|cannot|can\s*not)\s+not?\s*be\s+"
    r"(?:published|reproduced|republished|copied|redistributed|distributed)\b"
    r"|\bno\s+part\s+of\s+this\s+(?:site|website|material|publication|article|document)\b.{0,80}?\bmay\s+be\s+reproduced"
    r"|\bno\s+part\s+may\s+be\s+reproduced\s+without"
    r"|\bthis\s+(?:material|content|article|document|publication|site|website|page)\s+is\s+subject\s+to\s+copyright\b"
    r"|^(?:all\s+|most\s+)?(?:stock\s+)?(?:quotes?\s+(?:are\s+)?delayed|quote\s+data\s+(?:provided|powered|supplied)\s+by)\b"
    r"|^real-time\s+quotes?\s+(?:provided|powered|supplied)\s+by\b"
    r"|^citation\s*:.{0,300}?\bretrieved\b.{0,60}?\bfrom\s+https?://",
    re.IGNORECASE,
)
_DISCLAIMER_TOKENS = (
    "be published",
    "be reproduced",
    "be republished",
    "be copied",
    "be redistributed",
    "be distributed",
    "to copyright",
    "delayed",
    "provided by",
    "powered by",
    "supplied by",
    "citation",
)
_LINK_TOKENS = ("click", "cliqu", "tap here", "tap on", "tap to", "tap the", "haga clic", "klicken sie")
# Wire-service staff credits under a story: "Reporting by ...; Editing by ...".
_STAFF_CREDIT_PREFIXES = (
    "reporting by",
    "additional reporting by",
    "writing by",
    "editing by",
    "compiled by",
    "reporting and writing by",
)
STAFF_CREDIT_CHARS = 400

# "SOURCE:AA", "Source: Reuters", "Quelle: dpa": the agency line under an article.
SOURCE_LINE = re.compile(
    r"^(?:source|sources|quelle|fuente|fonte|font|sumber|출처|来源|來源)\s*[:：]\s*(?P<agency>\S.{0,60}?)\s*$",
    re.IGNORECASE,
)

_COMMENTS = re.compile(
    r"^(?:\d+\s+)?(?:comments?|responses?|replies|reactions|kommentare?|comentários?|commentaires?"
    r"|comentarios?|commenti|komentar|댓글|コメント|评论|評論)\s*(?:\(\d+\)|\d+)?\s*$"
    r"|^\S.{0,40}\s(?:says|said|wrote|schreibt|disse|dice|dit|escreveu|escribió)\s*:$"
    r"|^\d+\s+(?:responses?|comments?|replies|thoughts)\s+(?:to|on)\b"
    r"|^(?:leave\s+a\s+(?:comment|reply)|post\s+a\s+comment|add\s+a\s+comment|join\s+the\s+(?:conversation|discussion)"
    r"|be\s+the\s+first\s+to\s+comment|log\s+in\s+to\s+comment|show\s+comments|view\s+comments"
    r"|comment\s+via|you\s+must\s+be\s+logged\s+in|deixe\s+(?:um\s+)?(?:seu\s+)?comentário"
    r"|laisser\s+un\s+commentaire|deja\s+un\s+comentario|lascia\s+un\s+commento|schreibe\s+einen\s+kommentar)",
    re.IGNORECASE,
)

# A caption's credit: "Photo: Reuters", "Foto: dpa", "FILE PHOTO: ...", "(AP Photo/Evan Vucci)",
# "Image copyright Getty Images". The "... / AP" tail form is handled by the caller with the
# layout in view (it only means a credit on a short caption line, see IMAGE_CREDIT_TAIL).
_IMAGE_CREDIT = re.compile(
    r"^(?:photo|photos|photograph|foto|fotos|image|images|picture|pictures|credit|credits|bild|imagen|immagine"
    r"|file\s+photo|photo\s+credit|image\s+credit|image\s+copyright|image\s+caption|getty\s+images"
    r"|crédit\s+photo|crédits?|fotografía|reprodução|사진|写真|图片|圖片)\s*(?:[:：©/|]|by\b)"
    r"|^(?:image|media)\s+caption\s+(?=\S)|^(?:image|media)\s+copyright\s+[^.!?]{1,60}$"  # BBC, no colon
    r"|^\((?:ap|afp|reuters|getty|epa|dpa|photo|foto)[^)]{0,60}\)\s*$"
    # A credit on a line of its own: "Getty Images", "Shutterstock", "Image via Getty Images".
    r"|^(?:getty(?:\s+images)?|shutterstock|istock(?:photo)?|alamy(?:\s+stock\s+photo)?|(?:ap|afp)\s+photo)\s*$"
    r"|^(?:image|photo|picture)\s+via\s+\S|^photo\s+illustration\s+(?:by\b|[:：])|^image\s+source,?\s+\S"
    r"|^\[(?:사진|photo|foto)[^\]]{0,60}\]\s*$",
    re.IGNORECASE,
)
# "Kremlin dismissed the idea ... / AP", "Photo: Reuters", "Foto: dpa": the credit text itself.
IMAGE_CREDIT_TAIL = re.compile(r"\s/\s*(?P<credit>[A-Z][\w.&'’ -]{0,30}?)\s*$")
IMAGE_CREDIT_LABEL = re.compile(
    r"^(?:photo|photograph|foto|image|picture|credit|bild|imagen|fotografía|crédit\s+photo|photo\s+credit)\s*[:：]\s*"
    r"(?P<credit>[^.;|]{1,60}?)\s*$"
    r"|\((?:photo|foto)\s*[:/]\s*(?P<paren>[^)]{1,60})\)\s*$",
    re.IGNORECASE,
)

# A caption whose credit closes it: "... in Hialeah, Fla. (AP Photo/Alan Diaz, File)", "... the
# 14th century (Image: GETTY)", "... Julian Assange (AFP)", "... use of the drug. Getty Images".
# Running prose never ends on a photo credit; a bare agency in brackets ("(AFP)") can close a
# story's last paragraph, so callers give that form (group `agency`) a length limit.
CAPTION_CREDIT_END = re.compile(
    r"\((?:(?P<photo>(?:AP|AFP|Reuters|EPA|Getty|PA|dpa|Xinhua|UPI|Anadolu|Kyodo|Yonhap|EFE)\s*(?i:photos?|images?|pool)"
    r"(?:\s*[:/][^()]{1,60})?"
    r"|(?:AP|AFP|Reuters|EPA|Getty|PA|dpa|Xinhua|UPI|Anadolu|Kyodo|Yonhap|EFE)\s*/[^()]{1,60}"
    r")|(?i:(?:photo|image)\s+credit|photo|image|picture|foto|credit)s?\s*[:/：]\s*(?P<label>[^()]{1,60})"
    r"|(?i:(?:photo|image|picture)s?\s+(?:by|courtesy(?:\s+of)?)|supplied:)\s+(?P<photo_by>[^()]{1,80})"
    r"|Courtesy(?:\s+of)?\s+(?P<courtesy>[A-Z][^()]{0,79})"
    r"|(?P<supplied>(?i:supplied|handout))"
    r"|(?P<agency>AP|AFP|Reuters|EPA|Getty(?:\s+Images)?|dpa|Xinhua|UPI|EFE|iStock(?:photo)?|Shutterstock|Alamy)"
    r"|(?P<slashed>[A-Z][\w.'’-]+\s[A-Z][\w.'’ -]{1,40}/\s*(?:The\s+)?[A-Z][\w.&'’-]*(?:\s[A-Z][\w.&'’-]*){0,4})"
    r"|(?P<byline>[A-Z][\w.'’ -]{1,40}/\s*(?:AP|AFP|Reuters|EPA|Getty\s+Images|dpa|Xinhua|UPI|EFE)))\)"
    r"(?:\s+(?:less|more|hide\s+caption|toggle\s+caption))?\s*$"
    r"|[.!?][\"”’]?\s+(?P<tail>(?:[A-Z][\w.'’-]*\s+){0,3}?(?:[A-Z][\w.'’-]*\s*/\s*)?"
    r"(?:Getty(?:\s+Images)?|Shutterstock|iStock(?:photo)?|Alamy(?:\s+Stock\s+Photo)?))\s*$"
    # "... in London. Photograph: Name/Agency", "... bei der Eröffnung. Bild: dpa", "... — Photo: Name".
    r"|(?:[.!?][\"”’]?|\s[-–—|])\s+(?i:(?:photo|image)\s+credit|credit|photograph|photo|foto|fotografía|image|imagen|picture"
    r"|pic|bild|illustration|crédit(?:\s+photo)?)s?\s*(?:[:：]|\.\.\.|…)\s*(?P<trail>[^\W\d_][^.;|:()]{0,58}?)\s*$"
    # "... at dawn. Photo by Ina Sorel on Unsplash", "... in 1910. Courtesy of the Tri-County Archive".
    r"|(?:[.!?][\"”’]?|\s[-–—|])\s+(?P<by_trail>(?i:(?:photo|image|picture)s?\s+(?:by|courtesy(?:\s+of)?)|courtesy(?:\s+of)?)"
    r"\s+[A-Z][^.;|:()]{0,58}?)\s*$"
    r"|\[(?i:photo|image|picture|foto)s?\s*[:/]\s*(?P<bracket>[^\[\]]{1,60})\]\s*$"
    # The wire's own caption credit: "... in New York, U.S., November 18, 2019. REUTERS/Brendan McDermid".
    r"|\s(?P<wire>(?:REUTERS|AFP|AP|EPA|XINHUA)/[A-Z][\w.'’-]+(?:\s[A-Z][\w.'’-]+){0,3}(?:/(?:File|Pool))?)\s*$"
    # "... where the patients were treated Credit: EPA": the credit label glued to the caption.
    r"|(?<=[a-z0-9)\]'’\"”])\s+Credit:\s+(?P<glued>[A-Z][^.;|()]{0,58}?)\s*$"
    # Credit lines of their own: "Alex Wong | Getty Images", "Natalie Naccache | Bloomberg | Getty Images",
    # "New York State Registry via AP", "Ina Sorel Submitted photo".
    r"|^(?P<piped>[^.!?|]{1,40}(?:\s\|\s[^.!?|]{1,40})?\s\|\s(?:Getty\s+Images|AP|AFP|Reuters|EPA|Shutterstock))$"
    r"|^[^.!?]{1,60}\s+via\s+(?P<via>AP|AFP|Reuters|EPA|Getty\s+Images)$"
    r"|\s(?P<submitted>(?i:submitted|handout|contributed|courtesy)\s+(?i:photo|image))$"
)
# The wire services' caption lead: "In this Nov. 5, 2019, file photo, ...", "This undated photo
# provided by the family shows ...". Prose about a photo ("This photo shows how ...") has neither
# the comma after the photo word nor "provided by ... shows".
WIRE_CAPTION_LEAD = re.compile(
    r"^(?:in\s+)?this\s+(?:[\w.,'’-]+\s+){0,8}?(?:file\s+|handout\s+|undated\s+)?(?:photo|image|picture)"
    r"(?:,|\s+(?:provided|released|taken|made\s+available)\s+by\s+[^.,]{1,80}?(?:,|\s+shows\b))",
    re.IGNORECASE,
)
# "Image copyright Reuters" (BBC): a credit with no colon.
_IMAGE_COPYRIGHT = re.compile(r"^(?:image|media)\s+copyright\s+(?P<credit>[^.;|:]{1,60}?)\s*$", re.IGNORECASE)
# The wire services' caption dates its picture mid-sentence, which a story never does: "... speaks
# during a fundraiser, Sunday, Nov. 17, 2019, in Las Vegas."
WIRE_CAPTION_DATE = re.compile(
    r",\s(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,\s(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?"
    r"\s\d{1,2},\s\d{4}\b"
)
# A credit on a line of its own (as _IMAGE_CREDIT matches it): "Getty Images", "Image via Getty Images".
_CREDIT_LINE = re.compile(
    r"^(?:(?:image|photo|picture)\s+via\s+(?P<credit>[^.!?]{1,60}?)"
    r"|(?P<bare>getty(?:\s+images)?|shutterstock|istock(?:photo)?|alamy(?:\s+stock\s+photo)?|(?:ap|afp)\s+photo))\s*$",
    re.IGNORECASE,
)
# What a line needs for CAPTION_CREDIT_END, WIRE_CAPTION_LEAD or WIRE_CAPTION_DATE: a closing bracket last, or one of
# these in the lowercased line.
CAPTION_CREDIT_TOKENS = (
    "getty", "shutterstock", "istock", "alamy", "credit", "photo", "foto", "image", "picture", "day, ", " via ",
    "reuters/", "afp/", "ap/", "epa/", "xinhua/", "pic", "bild", "illustration", "crédit", "courtesy", "supplied",
    "handout",
    ") less", ") more", ") hide", ") toggle", "| ap", "| afp", "| reuters", "| epa",
)  # fmt: skip


# A caption closed by a bare agency, "Julian Assange (AFP)", is short; a story's last paragraph
# can end the same way, and is longer.
CREDITED_AGENCY_MAX_CHARS = 200
CREDITED_CAPTION_MAX_CHARS = 400


def caption_credit_end(line: str) -> str | None:
    """The credit that closes a caption line ("AP Photo/Alan Diaz, File", "AFP", "Getty"), or None."""
    if len(line) >= CREDITED_CAPTION_MAX_CHARS:
        return None
    match = CAPTION_CREDIT_END.search(line)
    if match is None or (match.group("agency") is not None and len(line) > CREDITED_AGENCY_MAX_CHARS):
        return None
    credit = (
        match.group("photo")
        or match.group("label")
        or match.group("photo_by")
        or match.group("courtesy")
        or match.group("slashed")
        or match.group("supplied")
        or match.group("by_trail")
        or match.group("bracket")
        or match.group("wire")
        or match.group("agency")
        or match.group("byline")
        or match.group("tail")
        or match.group("trail")
        or match.group("glued")
        or match.group("piped")
        or match.group("via")
        or match.group("submitted")
    )
    return credit.strip() if credit else None


def _may_be_credited_caption(line: str) -> bool:
    lowered = line.lower()
    return line.endswith(")") or any(token in lowered for token in CAPTION_CREDIT_TOKENS)


def is_credited_caption(line: str) -> bool:
    """A caption by its own form: it ends in its credit (caption_credit_end) or opens like a wire
    caption ("In this Nov. 5, 2019, file photo, ..."). Running prose does neither."""
    return len(line) < CREDITED_CAPTION_MAX_CHARS and (
        caption_credit_end(line) is not None
        or WIRE_CAPTION_LEAD.match(line) is not None
        or WIRE_CAPTION_DATE.search(line) is not None
    )


_TAGS = re.compile(
    r"^(?:tags?|topics?|filed\s+under|categories|category|schlagworte|schlagwörter|etiquetas|marcadores"
    r"|mots-clés|argomenti|태그|标签|標籤)\s*(?:[:：]|$)",
    re.IGNORECASE,
)

_PAGER = re.compile(
    r"^(?:[«‹<←]\s*)?(?:previous|next|prev|older|newer)\s+(?:article|post|story|entry|page)s?\b"
    r"|^(?:back\s+to\s+top|go\s+to\s+top|top\s+of\s+page|page\s+\d+\s+of\s+\d+|load\s+more|show\s+more"
    r"|artigo\s+anterior|próximo\s+artigo|article\s+précédent|article\s+suivant|nächster\s+artikel"
    r"|vorheriger\s+artikel|artículo\s+anterior|siguiente\s+artículo)\s*(?:[»›>→]\s*)?$",
    re.IGNORECASE,
)

_SHORT_RULES: tuple[tuple[re.Pattern[str], ResidualReason], ...] = (
    (_CONSENT_BUTTON, ResidualReason.COOKIE),
    (_READ_TIME, ResidualReason.READ_TIME),
    (SOURCE_LINE, ResidualReason.SOURCE_LINE),
    (_RELATED, ResidualReason.RELATED),
    (_SUBSCRIBE, ResidualReason.SUBSCRIBE),
    (_SHARE, ResidualReason.SHARE),
    (_APP_PROMO, ResidualReason.APP_PROMO),
    (_ADVERTISEMENT, ResidualReason.ADVERTISEMENT),
    (_COMMENTS, ResidualReason.COMMENTS),
    (_IMAGE_CREDIT, ResidualReason.IMAGE_CREDIT),
    (_TAGS, ResidualReason.TAGS),
    (_PAGER, ResidualReason.PAGER),
)


def _combine(rules: tuple[tuple[re.Pattern[str], ResidualReason], ...]) -> re.Pattern[str]:
    # One alternation tried once per line instead of a dozen patterns (the cleaner runs this
    # on every line of every page). Alternatives are tried in order, so the first rule that
    # matches names the reason, as the rules read; each keeps its own flags in a scoped group.
    parts = []
    for i, (pattern, _) in enumerate(rules):
        flags = "ix" if pattern.flags & re.VERBOSE else "i"
        parts.append(f"(?P<r{i}>(?{flags}:{pattern.pattern}))")
    return re.compile("|".join(parts))


_SHORT_RULE = _combine(_SHORT_RULES)
_SHORT_REASONS = {f"r{i}": reason for i, (_, reason) in enumerate(_SHORT_RULES)}
# Cookie banners and copyright lines are found anywhere in the line; one search finds the
# candidates of both, and only those few lines are looked at again.
# Substring tests on the lowercased line are several times faster than an IGNORECASE search.
_ANYWHERE_TOKENS = (
    "cookie",
    "privacy",
    "datenschutz",
    "privacidad",
    "confidentialit",
    "consent",
    "©",
    "ⓒ",
    "(c)",
    "copyright",
    "rights reserved",
    "rechte vorbehalten",
    "direitos reservados",
    "droits réservés",
    "derechos reservados",
    "diritti riservati",
    "hak cipta",
    "무단",
    "無断",
    "版权",
    "版權",
)


# Unrendered WordPress shortcodes ("[button link=...]Send us YOUR kit review[/button]") and
# CSS breakpoint or class names rendered as list items ("- medium-wide-browser-and-larger").
_SHORTCODE = re.compile(r"\[/[a-z_]+\]|^\[[a-z_]+\s+[a-z_]+\s*=")
_CSS_SLUG = re.compile(r"^(?:[-–•*·]\s+)?(?=[a-z0-9_-]*[a-z])[a-z0-9]+(?:[-_][a-z0-9]+){2,}$")
# Widget status strings left in the page's markup for scripts to show ("Please wait...",
# "Loading Comments...", "This feature is temporarily unavailable. Please try again later.").
_UI_STATUS = re.compile(
    r"^(?:please\s+wait|loading(?:\s+\w+)?|sorry|thanks|oops|close|x)\s*[.!…]*$"
    r"|^(?:this\s+feature\s+is\s+(?:temporarily\s+)?unavailable|something\s+went\s+wrong)\b.{0,60}$",
    re.IGNORECASE,
)
MARKUP_MAX_CHARS = 120  # class names and status strings are short

# The author's contact or bio line closing an article: "... may be reached at ...",
# "Follow him on Twitter @michaeldwall". Only among the last CONTACT_LAST_LINES lines of the
# body (callers check), and only this long.
_CONTACT = re.compile(
    r"\b(?:may|can)\s+be\s+reached\s+at\b|\bfollow\s+(?:him|her|them|me)\b.{0,30}?\bon\s+"
    r"(?:twitter|facebook|instagram|linkedin|x)\b",
    re.IGNORECASE,
)
# The author's bio line: "Phil Helsel is a reporter for NBC News.", "Jeff Foust (jeff@...) is the
# editor and publisher of ...".
_AUTHOR_BIO = re.compile(
    r"^[A-Z][\w.'’-]+(?:\s[A-Z][\w.'’-]+){1,3}(?:\s\([^)]*\))?\s(?:is|was|has\s+been)\s(?:a|an|the)\s"
    r"(?:[\w-]+\s){0,5}?(?:reporter|writer|correspondent|editor|journalist|contributor|columnist|author|producer"
    r"|publisher|freelancer|critic)\b"
)
CONTACT_LAST_LINES = 3
CONTACT_MAX_CHARS = 300


def is_contact_line(line: str) -> bool:
    """An author contact or bio line ("Amy Kuperinsky may be reached at ...", "Phil Helsel is a
    reporter for NBC News."), when it closes the body."""
    return len(line) <= CONTACT_MAX_CHARS and (_CONTACT.search(line) is not None or _AUTHOR_BIO.match(line) is not None)


def markup_reason(line: str) -> ResidualReason | None:
    """Lines that are markup or template residue, never prose: shortcodes, CSS class names, widget status.

    Kept apart from :func:`boilerplate_reason` (and its screen): the text-dump cleaner asks it
    only of the lines it keeps.
    """
    if "[" in line and _SHORTCODE.search(line):
        return ResidualReason.MARKUP
    if len(line) <= MARKUP_MAX_CHARS and (_CSS_SLUG.match(line) or _UI_STATUS.match(line)):
        return ResidualReason.MARKUP
    return None


@dataclass(frozen=True, slots=True)
class Screen:
    """What a line needs before :func:`boilerplate_reason` can name it: the public contract
    that lets a caller rule out most lines in bulk (the text-dump cleaner screens whole
    pages at once and calls the function only on the few lines left).

    boilerplate_reason returns None for any line that is longer than `max_chars`, or that
    holds none of `tokens` (in the lowercased line), does not start with one of
    `staff_prefixes` (lowercased) within `staff_chars`, and is not within `short_chars` with
    `short_rule` matching at its start. For a short line that passes only the last test,
    the reason is `short_reasons[match.lastgroup]`. A rule added to boilerplate_reason must
    keep this true (tests/unit/test_textdump.py compares the screened and the plain paths).
    """

    tokens: tuple[str, ...]
    staff_prefixes: tuple[str, ...]
    staff_chars: int
    short_chars: int
    short_rule: re.Pattern[str]
    short_reasons: Mapping[str, ResidualReason]
    max_chars: int


# Every image-credit pattern (IMAGE_CREDIT_LABEL and IMAGE_CREDIT_TAIL here, and the text-dump
# cleaner's caption forms) needs one of these characters, so a line without them is no credit.
CREDIT_MARKS = ":：/"

_WS = re.compile(r"\s+")
_NON_WORD = re.compile(r"[\W_]+")


def normalize_line(line: str) -> str:
    """Casefolded, NFKC, punctuation-free form used to compare lines (repeats, site counts)."""
    text = unicodedata.normalize("NFKC", line).casefold()
    return _WS.sub(" ", _NON_WORD.sub(" ", text)).strip()


def _is_credit_list(line: str, lowered: str) -> bool:
    # "Reporting by A; Editing by B" is a list of names; "Reporting by the local paper first
    # raised questions ..." is a sentence, which ends with a full stop and runs longer.
    return ";" in line or "editing by" in lowered or (len(line) <= 80 and not line.endswith("."))


def boilerplate_reason(line: str) -> ResidualReason | None:
    """Return why `line` is boilerplate on its own, or None if no rule fires.

    The line should be stripped. Title and standfirst repeats need the page context and
    are decided in :func:`strip_residual`.
    """
    n = len(line)
    if n == 0 or n > CONSENT_LINE_CHARS:
        return None
    lowered = line.lower()
    if any(token in lowered for token in _ANYWHERE_TOKENS):
        # A long line about consent or privacy is prose ("deflect accusations by arguing
        # 'consent'"); a long banner always names its cookies.
        if (
            _COOKIE.search(line)
            and (n <= 60 or _COOKIE_ACTION.search(line))
            and (n <= SHORT_LINE_CHARS or "cookie" in lowered)
        ):
            return ResidualReason.COOKIE
        if (n <= SHORT_LINE_CHARS and _COPYRIGHT.search(line)) or _COPYRIGHT_LEAD.match(line):
            return ResidualReason.COPYRIGHT
    if n <= PROMO_LINE_CHARS and any(token in lowered for token in _SIGNUP_TOKENS) and _SIGNUP.search(line):
        return ResidualReason.SUBSCRIBE
    if n <= STAFF_CREDIT_CHARS and lowered.startswith(_STAFF_CREDIT_PREFIXES) and _is_credit_list(line, lowered):
        return ResidualReason.STAFF_CREDIT
    if n <= SHORT_LINE_CHARS:
        match = _SHORT_RULE.match(line)
        if match is not None and match.lastgroup is not None:
            return _SHORT_REASONS[match.lastgroup]
    if n <= PROMO_LINE_CHARS and any(token in lowered for token in _LINK_TOKENS) and _LINK_PROMPT.search(line):
        return ResidualReason.LINK_PROMPT
    if any(token in lowered for token in _DISCLAIMER_TOKENS) and _DISCLAIMER.search(line):
        return ResidualReason.DISCLAIMER
    return None


SCREEN = Screen(
    tokens=(*_ANYWHERE_TOKENS, *_SIGNUP_TOKENS, *_LINK_TOKENS, *_DISCLAIMER_TOKENS),
    staff_prefixes=_STAFF_CREDIT_PREFIXES,
    staff_chars=STAFF_CREDIT_CHARS,
    short_chars=SHORT_LINE_CHARS,
    short_rule=_SHORT_RULE,
    short_reasons=MappingProxyType(_SHORT_REASONS),
    max_chars=CONSENT_LINE_CHARS,
)


_RELATED_SOURCE_PREFIX = re.compile(r"^(?P<source>[^\s\-–—:][^\-–—:|]{0,30}?)\s+[-–—|]\s+(?=\S)")
_RELATED_LEAD = re.compile(r"^[\s:：\-–—|»›>.]+")
_DATELINE_AGENCY = re.compile(
    r"^(?:[^\W\d_][^()]{0,60}?\s)?\((?P<agency>[A-Z][A-Za-z]{1,14}(?:[ /-][A-Z][A-Za-z]{1,14})?)\)\s*[-–—]"
)


def related_headline(line: str) -> str | None:
    """The teased headline of a "Related..." line, or None if it is only a label.

    "RelatedTRT Global - Istanbul talks: ..." gives "Istanbul talks: ..."; the short source
    name before " - " is dropped because it names the site, not the story.
    """
    match = _RELATED.match(line)
    if match is None:
        return None
    rest = _RELATED_LEAD.sub("", line[match.end() :]).strip()
    prefix = _RELATED_SOURCE_PREFIX.match(rest)
    if prefix is not None and len(prefix.group("source").split()) <= 4:
        rest = rest[prefix.end() :].strip()
    # A bare label ("RECOMMENDED", "Related articles") leaves nothing headline-like behind.
    return rest if len(rest) >= 12 and " " in rest else None


# Headings of other-stories boxes that the related rules do not name ("Other Opinion
# Columns", "More stories", "Latest news").
CLOSING_HEADING = re.compile(
    r"^(?:other|more|latest|recent|popular)\s+(?:\w+\s+){0,2}(?:stories|articles|columns|news|posts|headlines|videos)\s*$",
    re.IGNORECASE,
)
_CLOSING_REASONS = frozenset({ResidualReason.RELATED, ResidualReason.COMMENTS, ResidualReason.TAGS})


def is_closing_label(line: str, reason: ResidualReason | None) -> bool:
    """Whether a line (with `reason`, its boilerplate_reason) is only the heading of a
    closing section ("Comments", "Related", "More stories"): a label, not a teaser."""
    if CLOSING_HEADING.match(line):
        return True
    if reason not in _CLOSING_REASONS:
        return False
    return reason is not ResidualReason.RELATED or related_headline(line) is None


def agency_of(line: str) -> str | None:
    """The news agency a line names: "SOURCE:AA" gives "AA", "MOSCOW (Reuters) -" gives "Reuters"."""
    match = SOURCE_LINE.match(line)
    if match is not None:
        agency = match.group("agency").strip(" .")
        # "Source: a spokesman told reporters ..." is a sentence, not an agency name.
        return agency if agency and len(agency.split()) <= 4 else None
    match = _DATELINE_AGENCY.match(line)
    return match.group("agency") if match is not None else None


def image_credit_of(line: str, *, allow_tail: bool) -> str | None:
    """The credit of a caption line: "Photo: Reuters" gives "Reuters", "... / AP" gives "AP".

    The "... / AP" form is only read when `allow_tail` is set: in running prose a slash
    before a capitalised word ("input / Output") is not a credit, so the caller enables it
    for lines it already classified as captions.
    """
    match = IMAGE_CREDIT_LABEL.search(line)
    if match is not None:
        credit = match.group("credit") or match.group("paren")
        return credit.strip() if credit else None
    match = _IMAGE_COPYRIGHT.match(line)
    if match is not None:
        return match.group("credit").strip()
    match = _CREDIT_LINE.match(line)
    if match is not None:
        return (match.group("credit") or match.group("bare")).strip()
    if allow_tail:
        match = IMAGE_CREDIT_TAIL.search(line)
        if match is not None:
            return match.group("credit").strip()
    return None


def _unique(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def strip_residual(
    paragraphs: Sequence[str],
    *,
    title: str | None = None,
    subtitle: str | None = None,
) -> ResidualResult:
    """Split `paragraphs` into kept and dropped lines, keeping the order of the kept ones.

    A paragraph is dropped when :func:`boilerplate_reason` gives a reason, or when it repeats
    the title or the standfirst (compared after :func:`normalize_line`). Blank paragraphs are
    skipped without being reported.
    """
    title_key = normalize_line(title) if title else ""
    subtitle_key = normalize_line(subtitle) if subtitle else ""
    kept: list[str] = []
    removed: list[str] = []
    reasons: list[ResidualReason] = []
    agencies: list[str] = []
    credits: list[str] = []
    related: list[str] = []
    for paragraph in paragraphs:
        line = paragraph.strip()
        if not line:
            continue
        reason = boilerplate_reason(line)
        if reason is None and _may_be_credited_caption(line) and is_credited_caption(line):
            reason = ResidualReason.IMAGE_CREDIT
        if reason is None and (title_key or subtitle_key):
            key = normalize_line(line)
            if title_key and key == title_key:
                reason = ResidualReason.TITLE_REPEAT
            elif subtitle_key and key == subtitle_key:
                reason = ResidualReason.SUBTITLE_REPEAT
        if reason is None:
            kept.append(paragraph)
            if not agencies and len(kept) <= 2:
                agency = agency_of(line)
                if agency:
                    agencies.append(agency)
            continue
        removed.append(line)
        reasons.append(reason)
        if reason is ResidualReason.SOURCE_LINE:
            agency = agency_of(line)
            if agency:
                agencies.insert(0, agency)
        elif reason is ResidualReason.RELATED:
            headline = related_headline(line)
            if headline:
                related.append(headline)
        elif reason is ResidualReason.IMAGE_CREDIT:
            credit = image_credit_of(line, allow_tail=True) or caption_credit_end(line)
            if credit:
                credits.append(credit)
    return ResidualResult(
        kept=tuple(kept),
        removed=tuple(removed),
        reasons=tuple(reasons),
        source_agency=agencies[0] if agencies else None,
        image_credits=_unique(credits),
        related=_unique(related),
    )
