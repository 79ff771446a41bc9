"""The labels invoices print before their values, in et, fi, lt, lv, pl, de, sv, en, ru (and
fr, nl, which the corpus has), folded: lower case, no diacritics (see ``values.fold``).

Each field has alternatives with a weight; where labels overlap ("Net total" holds "total",
"Rechnungssumme ohne USt." holds "USt."), the longest match wins, so the nearest and most
specific label decides what a value is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# field -> ((weight, pattern), ...); patterns are regex on folded text.
_LABELS: dict[str, tuple[tuple[float, str], ...]] = {
    # Words that look like a total but are not one (allowances, prepayments, discounts):
    # matched so that, being longer, they keep "Gesamtbetrag" or "total" from labelling.
    "noise": (
        (1.0, r"gesamtbetrag\sder\s(?:zu|ab)schlage|(?:summe\s)?(?:zu|ab)schlage"),
        (1.0, r"(?:erhaltene\s)?anzahlung(?:en)?|vorauszahlung|rabatt\w*|skonto\w*"),
        (1.0, r"wahrung\sder\sumsatzsteuerbuchung|buchwahrung|tax\scurrency"),
        (1.0, r"(?:total\s)?discounts?|allowances?|charges?|prepaid(?:\samount)?|paid\samount"),
        (1.0, r"already\spaid|acompte|remise|ettemaks|ettemaksu?|soodustus|allahindlus"),
        (1.0, r"rounding|rundung|ummardus|pyoristys|ennakko|avansas|zaliczka|in\sworten"),
        (1.0, r"total\s(?:qty|quantity|items?|weight|pages?)|gesamtgewicht|seite"),
    ),
    "invoice_number": (
        (1.0, r"invoice\s?(?:no\.?|nr\.?|number|num\.?|#|id)|invoice"),
        (0.6, r"bill\s?(?:no\.?|number)|document\s?(?:no\.?|number)|doc\.? no\.?"),
        (
            1.0,
            r"[a-z]*rechnungs?[-\s]?(?:nr\.?|nummer|no\.?)|[a-z]*rechnung|beleg-?(?:nr\.?|nummer)|rechnungskorrektur|gutschrift(?:s?[-\s]?nr\.?)?",
        ),
        (
            0.9,
            r"(?:n[°o]\.?\s)?(?:de\s)?facture(?:\sn[°o])?|(?:n[°o]\.?\s)?(?:d')?avoir(?:\sn[°o])?",
        ),
        (1.0, r"arve(?:\s?(?:nr\.?|number|no\.?))?|kreeditarve(?:\snr\.?)?"),
        (1.0, r"laskun?\s?(?:numero|nro|nr\.?)|lasku"),
        (1.0, r"saskaitos?(?:\sfakturos)?\s(?:nr\.?|numeris)|serija\sir\snr\.?|s\.\s?f\.\snr\.?"),
        (1.0, r"rekin[as]\s?(?:nr\.?|numurs)|rekins|pavadzime\snr\.?"),
        (1.0, r"faktura(?:\svat)?\s(?:nr\.?|numer)|numer\sfaktury|faktura(?:\svat)?"),
        (1.0, r"faktura\s?(?:nr\.?|nummer)|fakturanr\.?|fakturanummer"),
        (1.0, r"(?:сч[её]т|счет-фактура)\s?(?:№|n|no|номер)|номер\sсч[её]та|сч[её]т"),
        (1.0, r"factuur\s?(?:nr\.?|nummer)|factuurnummer"),
    ),
    "issue_date": (
        (1.0, r"invoice\sdate|date\sof\sinvoice|issue\sdate|date\sof\sissue|date\sissued"),
        (0.8, r"issued\s(?:at|on)|billing\sdate|document\sdate|invoice\sdate"),
        (0.5, r"date|dated"),
        (1.0, r"rechnungsdatum|beleg-?datum|ausstellungsdatum"),
        (0.5, r"datum|vom"),
        (0.3, r"von"),
        (1.0, r"date\sde\s(?:la\s)?facture|date\sd'emission|date\sde\sl'avoir"),
        (0.3, r"du"),
        (1.0, r"arve\skuupaev|arve\skp\.?|koostamise\skuupaev|kuupaev"),
        (0.5, r"kp\.?"),
        (1.0, r"laskun\s(?:pvm|paivays|paivamaara)|laskutuspaiva|paivays|paivamaara"),
        (0.5, r"pvm\.?"),
        (1.0, r"saskaitos\sdata|israsymo\sdata|(?:israsymo\s)?data"),
        (1.0, r"rekina\sdatums|izrakstisanas\sdatums|datums"),
        (1.0, r"data\swystawienia"),
        (1.0, r"fakturadatum"),
        (1.0, r"дата\sсч[её]та|дата"),
        (0.3, r"от"),
        (1.0, r"factuurdatum"),
    ),
    "due_date": (
        (1.0, r"due\sdate|payment\sdue(?:\sdate)?|date\sdue|payment\sdeadline|due\s(?:on|by)"),
        (0.9, r"pay(?:able)?\s(?:by|until|before)|(?:please\s)?remit\suntil|to\sbe\spaid\sby"),
        (0.6, r"due|payment\sdate|payment\sterms?"),
        (1.0, r"falligkeit(?:sdatum)?|fallig\s(?:am|bis)|zahlbar\sbis|zahlungsziel|netto\sbis"),
        (0.7, r"fallig|zahlbar\sinnerhalb\s\d+\stagen(?:\snetto)?\sbis"),
        (0.7, r"(?:bitte\s)?uberweisen\ssie\s(?:[a-z]+\s){0,4}bis(?:\szum)?|bis\szum"),
        (1.0, r"date\sd'echeance|echeance|a\spayer\savant\sle|date\slimite\sde\spaiement"),
        (1.0, r"maksetahtaeg|tasumise\stahtaeg|maksetahtpaev|tasuda\shiljemalt|tahtaeg"),
        (1.0, r"erapaiva|erapvm\.?|maksettava\sviimeistaan|viimeinen\smaksupaiva"),
        (1.0, r"apmoketi\siki|(?:ap)?mokejimo\sterminas|sumoketi\siki|terminas"),
        (1.0, r"apmaksas\stermins|samaksat\slidz|apmaksat\slidz|termins"),
        (1.0, r"termin\splatnosci|zaplata\sdo|platne\sdo|termin\szaplaty"),
        (1.0, r"forfallodatum|forfallodag|betalas\ssenast|att\sbetala\ssenast"),
        (1.0, r"срок\sоплаты|оплатить\sдо|оплата\sдо"),
        (1.0, r"vervaldatum|te\sbetalen\svoor"),
    ),
    "vat_date": (
        (1.0, r"liefer-?\s(?:und|u\.)\sleistungsdatum|leistungsdatum|lieferdatum"),
        (0.8, r"date\sof\s(?:delivery|supply)|delivery\sdate|tax\spoint(?:\sdate)?|supply\sdate"),
        (0.8, r"date\sde\slivraison|kaibemaksu\skuupaev|tarne\skuupaev|toimituspaiva"),
        (0.8, r"toimituspvm|tiekimo\sdata|piegades\sdatums|data\ssprzedazy|data\sdostawy"),
        (0.8, r"leveransdatum|дата\sпоставки|дата\sотгрузки"),
    ),
    "net_amount": (
        (1.0, r"net\stotal|total\snet|net\samount|sub-?\s?total|total\sbefore\stax"),
        (1.0, r"rechnungssumme\snetto|(?:excl?|exkl)\.?\s(?:ust|mwst|vat)\.?"),
        (1.0, r"(?:total|amount)\s(?:excl\.?|excluding|without|w/o)\s(?:vat|tax)"),
        (0.8, r"taxable\samount|untaxed\samount|amount\sbefore\svat|tax\sbase|net"),
        (1.0, r"netto(?:summe|betrag)?|summe\snetto|gesamt\snetto|gesamtsumme\snetto"),
        (1.0, r"rechnungssumme\sohne\s(?:ust|mwst)\.?|summe\sohne\s(?:mwst|ust)\.?"),
        (1.0, r"rechnungsbetrag\snetto|zwischensumme|warenwert|steuerbasis"),
        (0.6, r"positionssumme|basisbetrag"),
        (1.0, r"total\sht|montant\sht|(?:total|montant)\shors\staxes?|sous-total|base\sht"),
        (1.0, r"summa\s(?:km-ta|ilma\skm-ta|kaibemaksuta|ilma\skaibemaksuta)|kaibemaksuta"),
        (1.0, r"kokku\s(?:km-ta|ilma\skm)|maksustatav\ssumma|neto"),
        (1.0, r"veroton(?:\ssumma|\syhteensa)?|yhteensa\silman\salv|(?:summa\s)?ilman\salv"),
        (1.0, r"arvonlisaveroton|(?:is\s)?viso\sbe\spvm|suma\sbe\spvm|be\spvm"),
        (1.0, r"apmokestinamoji\ssuma|(?:summa|kopa)\sbez\spvn|bez\spvn"),
        (1.0, r"wartosc\snetto|razem\snetto|suma\snetto"),
        (1.0, r"(?:summa|belopp)\sexkl\.?\smoms|exkl\.?\smoms|nettobelopp"),
        (1.0, r"(?:сумма|итого)\sбез\sндс|без\sндс"),
        (1.0, r"totaal\sexcl\.?\sbtw|exclusief\sbtw|excl\.?\sbtw|subtotaal"),
    ),
    "vat_amount": (
        (1.0, r"vat\samount|vat\stotal|total\svat|tax\samount|total\stax(?:es)?|sales\stax"),
        (0.8, r"vat|tax|plus\svat"),
        (1.0, r"(?:mwst|ust)\.?(?:-?betrag)?|umsatzsteuer(?:betrag)?|mehrwertsteuer|steuerbetrag"),
        (1.0, r"(?:zzgl\.?|\+)\s?(?:mwst|ust)\.?"),
        (1.0, r"total\stva|montant\s(?:de\s(?:la\s)?)?tva|total\staxes|tva"),
        (1.0, r"kaibemaks(?:\skokku)?|kaibemaksu\ssumma|km(?:\skokku|\ssumma)?"),
        (1.0, r"alv(?:\syhteensa|\sosuus|\smaara)?|arvonlisavero"),
        (1.0, r"pvm(?:\ssuma)?|pvn(?:\ssumma)?|kwota\svat|podatek\svat|razem\svat"),
        (1.0, r"moms(?:belopp)?|summa\smoms|(?:сумма\s)?ндс|в\sтом\sчисле\sндс|btw"),
    ),
    "gross_amount": (
        (1.0, r"grand\stotal|invoice\stotal|total\sgross|gross\s(?:amount|total)|total\samount"),
        (1.0, r"(?:total|amount)\s(?:incl\.?|including|with)\s(?:vat|tax)"),
        (0.8, r"total|gross"),
        (0.7, r"total\sdue|amount\sdue|balance\sdue|total\sto\spay|amount\spayable|due\spayable"),
        (1.0, r"gesamtbetrag|bruttosumme|bruttobetrag|gesamtsumme|rechnungsbetrag|rechnungssumme"),
        (1.0, r"summe\sbrutto|endbetrag|brutto|rechnungssumme\sbrutto|inkl\.?\s(?:ust|mwst)\.?"),
        (0.7, r"gesamt|summe|zahlbetrag|zu\szahlen|offener\sbetrag"),
        (1.0, r"total\sttc|montant\sttc|montant\stotal|ttc"),
        (0.7, r"net\sa\spayer|solde\sa\spayer|total\sa\spayer"),
        (1.0, r"kokku(?:\ssumma)?|summa\skokku|arve\s(?:kogu)?summa|summa\skm-ga|kokku\skm-ga"),
        (0.7, r"(?:kokku\s)?tasuda|tasumisele\skuulub|maksmisele\skuulub"),
        (1.0, r"yhteensa|loppusumma|laskun\ssumma|summa\syhteensa|verollinen\s(?:summa|yhteensa)"),
        (0.7, r"maksettava(?:\syhteensa)?"),
        (1.0, r"is\sviso(?:\ssu\spvm)?|viso\ssu\spvm|suma\ssu\spvm|bendra\ssuma"),
        (0.7, r"(?:is\sviso\s)?moketi"),
        (1.0, r"kopa(?:\sar\spvn)?|summa\sar\spvn|kopeja\ssumma"),
        (0.7, r"(?:summa|kopa)\sapmaksai|apmaksai"),
        (1.0, r"razem(?:\sbrutto)?|wartosc\sbrutto|suma\sbrutto"),
        (0.7, r"do\szaplaty"),
        (1.0, r"totalt|summa|totalbelopp"),
        (0.7, r"(?:summa\s)?att\sbetala"),
        (1.0, r"итого(?:\sс\sндс)?|всего|сумма\sс\sндс"),
        (0.7, r"(?:итого\s|всего\s)?к\sоплате"),
        (1.0, r"totaal(?:\sincl\.?\sbtw)?|inclusief\sbtw"),
        (0.7, r"te\sbetalen"),
    ),
    "seller_name": (
        (1.0, r"seller|supplier|vendor|verkaufer|lieferant|rechnungssteller|vendeur|fournisseur"),
        (1.0, r"muuja|tarnija|arve\sesitaja|myyja|toimittaja|laskuttaja|pardavejas|tiekejas"),
        (1.0, r"pardevejs|piegadatajs|sprzedawca|dostawca|wystawca|saljare|leverantor"),
        (1.0, r"продавец|поставщик|исполнитель"),
    ),
    "buyer_name": (
        (1.0, r"buyer|customer|bill(?:ed)?\sto|invoice\sto|sold\sto|client|kaufer|kunde"),
        (1.0, r"rechnungsempfanger|leistungsempfanger|acheteur|destinataire|ostja|klient"),
        (1.0, r"maksja|tellija|asiakas|laskutettava|pirkejas|gavejas|pircejs|sanemejs"),
        (1.0, r"maksatajs|nabywca|odbiorca|kopare|kund|покупатель|заказчик|плательщик"),
    ),
    "seller_vat_id": (
        (1.0, r"vat(?:[-\s]?(?:id|reg\.?|registration))?(?:\s?(?:no\.?|nr\.?|number|code))?"),
        (1.0, r"ust\.?[-\s]?id\.?(?:[-\s]?nr\.?)?|ust-?idnr\.?|umsatzsteuer-?id\w*|ust-?id"),
        (1.0, r"(?:n[°o]\s)?tva(?:\sintracom\w*)?|kmkr(?:\s?(?:nr\.?|number|kood))?"),
        (1.0, r"km\sreg\.?\s?nr\.?|kaibemaksukohustuslase\s(?:number|nr\.?)"),
        (1.0, r"alv[-\s]?(?:nro|numero|tunnus|rek\.?)|pvm\s(?:moketojo\s)?kodas"),
        (1.0, r"pvn\s(?:reg\.?\s)?(?:nr\.?|numurs|maksataja\s\w+)|nip|vat\sue"),
        (1.0, r"momsreg(?:istrerings)?\.?(?:nr\.?|nummer)?|btw(?:-?nr\.?|\snummer)?|инн"),
    ),
    "seller_registry_code": (
        (1.0, r"registrikood|reg\.?\s?(?:kood|nr\.?|no\.?|code|number)|registry\scode"),
        (1.0, r"(?:company\s)?registration\s(?:no\.?|number)|company\s(?:no\.?|number|code)"),
        (1.0, r"handelsreg(?:ister(?:nummer)?|\.)?|siret|siren|rcs|l?y-tunnus"),
        (1.0, r"business\sid|imones\skodas|im\.\skodas|juridinio\sasmens\skodas"),
        (1.0, r"registracijas\s(?:nr\.?|numurs)|vien\.\sreg\.\snr\.?|krs|regon"),
        (1.0, r"org\.?\s?nr\.?|organisationsnummer|огрн|kvk(?:-nummer)?"),
    ),
    "iban": (
        (1.0, r"iban|account(?:\sno\.?|\snumber)?|a/c|konto(?:nummer)?|arvelduskonto|a/a"),
        (1.0, r"tilinumero|tili|saskaitos\snr\.?|konts|rachunek|nr\srachunku|kontonr\.?"),
    ),
    "bic": ((1.0, r"bic(?:/swift)?|swift(?:/bic|\scode)?"),),
    "payment_reference": (
        (1.0, r"(?:payment\s)?reference(?:\sno\.?|\snumber)?|ref\.?\s?(?:no\.?|nr\.?)"),
        (1.0, r"viitenumber|viitenr\.?|viitenumero|viite|verwendungszweck|zahlungsreferenz"),
        (1.0, r"reference\sde\spaiement|(?:i?mokos|mokejimo)\skodas|maksajuma\smerkis"),
        (1.0, r"tytulem|ocr(?:-nummer|\snr\.?)?|назначение\sплатежа"),
    ),
    "order_number": (
        (1.0, r"order\s?(?:no\.?|number|nr\.?|ref(?:erence)?)|(?:your|purchase)\sorder|order"),
        (0.8, r"your\sreference|ihr\szeichen|(?:ihre\s)?bestellnummer|teie\sviide|viitteenne"),
        (0.8, r"p\.?o\.?(?:\s(?:no\.?|number))?"),
        (1.0, r"bestellung|bestell-?(?:nr\.?|nummer)|ihre\sbestellung|auftrag(?:snummer)?"),
        (1.0, r"votre\sreference|(?:bon\sde\s)?commande|tellimus(?:e\s(?:nr\.?|number))?"),
        (1.0, r"tilaus(?:numero)?|uzsakymas|uzsakymo\snr\.?|pasutijums|pasutijuma\snr\.?"),
        (1.0, r"zamowienie|nr\szamowienia|bestallning|ordernummer|er\sreferens|заказ"),
    ),
    "currency": (
        (1.0, r"rechnungswahrung|invoice\scurrency|devise\sde\sfacturation|arve\svaluuta"),
        (0.8, r"wahrung|currency|devise|monnaie|valuuta|valuutta|valiuta|valuta|waluta|валюта"),
    ),
    # The buyer's own VAT id, labelled as such ("Ihre USt-IdNr.", "N° TVA client").
    "buyer_vat_id": (
        (1.0, r"ihre\sust\.?[-\s]?ident\w*\.?|your\svat(?:\sno\.?|\snumber|\sid)?"),
        (1.0, r"(?:customer|buyer)(?:'s)?\svat(?:\sno\.?|\snumber|\sid)?|(?:n[°o]\s)?tva\sclient"),
        (1.0, r"kliendi\skmkr|ostja\skmkr|asiakkaan\salv|pirkejo\spvm\skodas|nabywcy\snip"),
    ),
    # A third party's block (tax representative, delivery address, payee): not the seller's.
    "third_party": (
        (1.0, r"steuerbevollmachtigte\w*(?:\sdes\sverkaufers)?|(?:abweichender\s)?warenempfanger"),
        (1.0, r"(?:abweichender\s)?zahlungsempfanger|lieferanschrift|ship\sto|delivery\saddress"),
        (1.0, r"tax\srepresentative|adresse\sde\slivraison|tarneaadress|kauba\ssaaja|payee"),
    ),
}

_EDGE_BEFORE = r"(?<![^\W_])"
_EDGE_AFTER = r"(?![^\W\d_])"


@dataclass(frozen=True)
class LabelMatch:
    field: str
    weight: float
    start: int
    end: int


def _top_level(pattern: str) -> list[str]:
    """A pattern's top-level alternatives ("a|b(?:c|d)" → ["a", "b(?:c|d)"])."""
    parts, depth, start, escaped = [], 0, 0, False
    for i, char in enumerate(pattern):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
    parts.append(pattern[start:])
    return parts


def _compile(alternatives: tuple[tuple[float, str], ...]) -> tuple[re.Pattern[str], list[float]]:
    """One regex per field: every alternative a group, longer ones first, so that at any
    position the longest label is tried first; the group tells the weight."""
    flat = [(weight, part) for weight, pattern in alternatives for part in _top_level(pattern)]
    flat.sort(key=lambda item: -len(item[1]))
    groups = "|".join(f"(?P<g{i}>{part})" for i, (_, part) in enumerate(flat))
    return re.compile(_EDGE_BEFORE + f"(?:{groups})" + _EDGE_AFTER), [w for w, _ in flat]


_COMPILED = {name: _compile(alternatives) for name, alternatives in _LABELS.items()}
# A first look: most cells hold no label at all.
_ANY = re.compile(
    _EDGE_BEFORE
    + "(?:"
    + "|".join(part for alts in _LABELS.values() for _, p in alts for part in _top_level(p))
    + ")"
)


def find_labels(folded: str) -> list[LabelMatch]:
    """The labels in a cell's folded text, overlaps resolved longest-first.

    >>> [(m.field, m.start) for m in find_labels("net total: 496.00 €")]
    [('net_amount', 0)]
    >>> [m.field for m in find_labels("rechnungssumme ohne ust.")]
    ['net_amount']
    """
    if not _ANY.search(folded):
        return []
    found = []
    for name, (pattern, weights) in _COMPILED.items():
        for match in pattern.finditer(folded):
            if match.end() > match.start():
                weight = weights[int(match.lastgroup[1:])]  # type: ignore[index]
                found.append(LabelMatch(name, weight, match.start(), match.end()))
    found.sort(key=lambda m: (-(m.end - m.start), -m.weight))
    chosen: list[LabelMatch] = []
    for match in found:
        overlaps = any(m.start < match.end and match.start < m.end for m in chosen)
        if not overlaps:
            chosen.append(match)
        elif any((m.start, m.end) == (match.start, match.end) for m in chosen):
            chosen.append(match)  # the same words may label two fields ("Nr." no; "MwSt" yes)
    return sorted(chosen, key=lambda m: (m.start, -m.weight))


def fields_labelled(folded: str) -> set[str]:
    return {m.field for m in find_labels(folded)}
