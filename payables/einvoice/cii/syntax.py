"""The two syntaxes one mapping reads: CII D16B and ZUGFeRD 1.0, and their profiles."""

from __future__ import annotations

from dataclasses import dataclass

FORMAT = "cii"

CII_NAMESPACE = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
ZUGFERD1_NAMESPACE = "urn:ferd:CrossIndustryDocument:invoice:1p0"

# Profiles whose invoices carry totals and VAT but no lines.
HEADER_ONLY_PROFILES = frozenset({"MINIMUM", "BASIC WL"})


@dataclass(frozen=True)
class Syntax:
    """Element names that differ between CII D16B and ZUGFeRD 1.0."""

    format: str
    version: str
    namespace: str
    context: str
    document: str
    transaction: str
    agreement: str
    delivery: str
    settlement: str
    header_summation: str
    line_agreement: str
    line_delivery: str
    line_settlement: str
    line_summation: str


D16B = Syntax(
    format="cii",
    version="D16B",
    namespace=CII_NAMESPACE,
    context="ExchangedDocumentContext",
    document="ExchangedDocument",
    transaction="SupplyChainTradeTransaction",
    agreement="ApplicableHeaderTradeAgreement",
    delivery="ApplicableHeaderTradeDelivery",
    settlement="ApplicableHeaderTradeSettlement",
    header_summation="SpecifiedTradeSettlementHeaderMonetarySummation",
    line_agreement="SpecifiedLineTradeAgreement",
    line_delivery="SpecifiedLineTradeDelivery",
    line_settlement="SpecifiedLineTradeSettlement",
    line_summation="SpecifiedTradeSettlementLineMonetarySummation",
)

ZUGFERD1 = Syntax(
    format="zugferd1",
    version="1.0",
    namespace=ZUGFERD1_NAMESPACE,
    context="SpecifiedExchangedDocumentContext",
    document="HeaderExchangedDocument",
    transaction="SpecifiedSupplyChainTradeTransaction",
    agreement="ApplicableSupplyChainTradeAgreement",
    delivery="ApplicableSupplyChainTradeDelivery",
    settlement="ApplicableSupplyChainTradeSettlement",
    header_summation="SpecifiedTradeSettlementMonetarySummation",
    line_agreement="SpecifiedSupplyChainTradeAgreement",
    line_delivery="SpecifiedSupplyChainTradeDelivery",
    line_settlement="SpecifiedSupplyChainTradeSettlement",
    line_summation="SpecifiedTradeSettlementMonetarySummation",
)

SYNTAXES = {"CrossIndustryInvoice": D16B, "CrossIndustryDocument": ZUGFERD1}

# D16B says RateApplicablePercent and IssuerAssignedID where ZUGFeRD 1.0 says
# ApplicablePercent and ID; either is accepted in both.
RATE = "RateApplicablePercent|ApplicablePercent"
DOC_ID = "IssuerAssignedID|ID"
