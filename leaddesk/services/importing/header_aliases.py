"""Which column header means which lead field, for the exports people bring to a CRM.

Sources of the spellings: HubSpot contact exports, Salesforce lead/contact reports and Data
Loader (API names), Pipedrive person exports ("Person - ..." columns), LinkedIn's
Connections.csv, Google Contacts CSV (old and new layout), Outlook contacts CSV, and our own
export (the canonical snake_case names). Headers are compared by ``header_key``: lower case,
no accents, letters and digits only, so "E-mail 1 - Value" and "email1value" are the same.
"""

from __future__ import annotations

import re
import unicodedata

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def header_key(header: str) -> str:
    """Normalise a header for lookup: case, accents, spaces and punctuation ignored."""
    folded = unicodedata.normalize("NFKD", header.casefold())
    plain = "".join(char for char in folded if not unicodedata.combining(char))
    return _NOT_ALNUM.sub("", plain)


# fmt: off
_ALIASES_BY_FIELD: dict[str, tuple[str, ...]] = {
    "first_name": (
        "First Name", "FirstName", "First", "Given Name", "Forename", "Contact First Name",
        "Vorname", "Prénom", "Nombre",
    ),
    "last_name": (
        "Last Name", "LastName", "Last", "Surname", "Family Name", "Contact Last Name",
        "Nachname", "Nom", "Nom de famille", "Apellido", "Apellidos",
    ),
    "full_name": ("Name", "Full Name", "Contact Name", "Contact", "Person Name", "Lead Name"),
    "email": (
        "Email", "E-mail", "Email Address", "E-mail Address", "Mail", "Work Email",
        "Business Email", "Primary Email", "Email Work", "Email Home", "Email Other",
        "E-Mail-Adresse", "Courriel", "Emails",
    ),
    "phone": (
        "Phone", "Phone Number", "Telephone", "Telephone Number", "Tel", "Mobile",
        "Mobile Phone", "Mobile Phone Number", "Mobile Number", "MobilePhone", "Cell",
        "Cell Phone", "Business Phone", "Business Phone 2", "Work Phone", "Primary Phone",
        "Direct Phone", "Direct Dial", "Company Main Phone", "Home Phone", "Other Phone",
        "Phone Work", "Phone Mobile", "Phone Home", "Phone Other", "Phones", "Telefon",
        "Téléphone", "Teléfono",
    ),
    "linkedin_url": (
        "LinkedIn", "LinkedIn URL", "LinkedIn Profile", "LinkedIn Profile URL",
        "LinkedIn Profile Link", "Person LinkedIn URL", "LinkedIn Page",
    ),
    "title": (
        "Title", "Job Title", "JobTitle", "Position", "Job Position", "Designation",
        "Organization Title", "Jobtitel", "Berufsbezeichnung", "Poste", "Cargo",
    ),
    "company": (
        "Company", "Company Name", "CompanyName", "Organization", "Organisation",
        "Organization Name", "Organisation Name", "Account Name", "Company / Account",
        "Associated Company", "Employer", "Firma", "Unternehmen", "Société", "Entreprise",
        "Empresa",
    ),
    "industry": ("Industry", "Industry Type", "Sector", "Branche", "Secteur"),
    "company_size": (
        "Company Size", "Number of Employees", "No. of Employees", "NumberOfEmployees",
        "Employees", "# Employees", "Employee Count", "Headcount", "Company Headcount",
        "Size", "Mitarbeiter",
    ),
    "website": (
        "Website", "Website URL", "Web Site", "Web Page", "Webpage", "URL", "Homepage",
        "Home Page", "Company Website", "Company Domain Name", "Domain", "Webseite",
        "Site Web",
    ),
    "city": (
        "City", "Town", "Mailing City", "Business City", "Home City", "Other City",
        "Billing City", "Ort", "Stadt", "Ville", "Ciudad",
    ),
    "country": (
        "Country", "Country/Region", "Country Code", "CountryCode", "Mailing Country",
        "Business Country/Region", "Home Country/Region", "Other Country/Region",
        "Billing Country", "Land", "Pays", "País",
    ),
    "timezone": ("Time Zone", "Timezone", "TZ", "IP Timezone", "Zeitzone"),
    "status": ("Status", "Lead Status", "Contact Status"),
    "score": ("Score", "Lead Score", "HubSpot Score", "Lead Rating Score"),
    "tags": (
        "Tags", "Tag", "Labels", "Label", "Categories", "Group Membership", "Lists",
        "Schlagwörter",
    ),
    "source": (
        "Source", "Lead Source", "LeadSource", "Original Source", "Source Channel",
        "Contact Source", "Quelle",
    ),
    "notes": (
        "Notes", "Note", "Description", "Comments", "Comment", "Remarks", "Notizen",
        "Bemerkungen",
    ),
    "consent": (
        "Consent", "Legal Basis", "Legal basis for processing contact's data",
        "GDPR Consent", "Marketing Consent", "Email Opt In", "Opt In",
    ),
    # An email-only opt-out is read as do-not-contact too: suppressing more is the safe side.
    "do_not_contact": (
        "Do Not Contact", "DoNotContact", "Do Not Call", "DoNotCall", "Email Opt Out",
        "HasOptedOutOfEmail", "Opted Out", "Unsubscribed", "Opt Out",
    ),
    "campaign": ("Campaign", "Campaign Name", "Campaigns", "Kampagne", "Campagne", "Campaña"),
    # Names or emails of people; Salesforce's "OwnerId" is an id of its own, so it is left out.
    "owner": (
        "Owner", "Lead Owner", "Contact Owner", "Owner Name", "Owner Email", "Owner Username",
        "Assigned To", "Sales Rep",
    ),
}
# fmt: on

#: header_key -> target, built from the table above.
ALIASES: dict[str, str] = {
    header_key(alias): field for field, aliases in _ALIASES_BY_FIELD.items() for alias in aliases
}

#: Numbered columns (Google "E-mail 2 - Value", Outlook "E-mail 2 Address", "Address 1 - City").
PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), field)
    for pattern, field in (
        (r"e?mail\d*(value|address)", "email"),
        (r"phone\d*value", "phone"),
        (r"address\d*city", "city"),
        (r"address\d*country(region)?", "country"),
        (r"organi[sz]ation\d*name", "company"),
        (r"organi[sz]ation\d*title", "title"),
        (r"website\d*value", "website"),
    )
)

#: Column prefixes of Pipedrive-style exports: "Person - Email - Work", "Organization - Name".
PERSON_PREFIXES = ("person", "contact", "lead")
ORGANIZATION_PREFIXES = ("organization", "organisation", "org", "company", "account")
IGNORED_PREFIXES = ("deal", "activity", "product", "note", "owner")

#: Organisation columns of Pipedrive exports, keyed like ``ALIASES``.
ORGANIZATION_ALIASES: dict[str, str] = {
    header_key(alias): field
    for alias, field in (
        ("Name", "company"),
        ("Industry", "industry"),
        ("Number of employees", "company_size"),
        ("Employees", "company_size"),
        ("Website", "website"),
        ("Address - City/town/village/locality", "city"),
        ("Address - City", "city"),
        ("City", "city"),
        ("Address - Country", "country"),
        ("Country", "country"),
        ("LinkedIn profile", "linkedin_url"),
    )
}

#: Extra person columns of Pipedrive exports.
PERSON_ALIASES: dict[str, str] = {
    header_key(alias): field
    for alias, field in (
        ("Organization", "company"),
        ("Job title", "title"),
        ("Labels", "tags"),
        ("Label", "tags"),
        ("Postal address - City/town/village/locality", "city"),
        ("Postal address - Country", "country"),
        ("LinkedIn profile", "linkedin_url"),
    )
}


class VendorProfile:
    """A known export layout, recognised by headers it always has.

    Its ``overrides`` read a few columns differently from the generic table: LinkedIn's "URL"
    is the profile, Outlook's "Title" is "Mr."/"Ms." (beside its "Job Title").
    """

    def __init__(self, name: str, signature: tuple[str, ...], overrides: dict[str, str | None]):
        self.name = name
        self.signature = frozenset(header_key(header) for header in signature)
        self.overrides = {header_key(header): target for header, target in overrides.items()}

    def matches(self, keys: set[str]) -> bool:
        return self.signature <= keys


VENDOR_PROFILES: tuple[VendorProfile, ...] = (
    VendorProfile(
        "LinkedIn Connections",
        ("First Name", "Last Name", "URL", "Connected On"),
        {"URL": "linkedin_url", "Connected On": None},
    ),
    VendorProfile(
        "Outlook contacts",
        ("Title", "Job Title", "E-mail Address"),
        {"Title": None},
    ),
    VendorProfile(
        "Google Contacts (old layout)",
        ("Name", "Given Name", "Family Name", "Group Membership"),
        {"Name": "full_name"},
    ),
)
