"""Word lists and phrases for the demo data set (``ube_core.demo``): fictional, plausible.

Phone numbers are in Ofcom's range reserved for drama (07700 900000–900999), e-mail
addresses use ``example.org``; every person and address is made up.
"""

from __future__ import annotations

from ube_core.procedure import Behaviour, Category, Channel, ExclusionTopic, Severity

TEAMS = ("North patch", "South patch", "East patch", "West patch")

FIRST_NAMES = (
    "Aaliyah", "Abdul", "Ada", "Adam", "Adebayo", "Agnieszka", "Aisha", "Alan", "Alfie",
    "Alice", "Amara", "Amir", "Amy", "Andrew", "Angela", "Ann", "Anthony", "Arjun", "Barbara",
    "Ben", "Bernard", "Beth", "Bilal", "Brian", "Callum", "Carl", "Carol", "Catherine",
    "Charlie", "Chloe", "Chris", "Claire", "Colin", "Craig", "Dan", "Daniel", "Dariusz",
    "David", "Dawn", "Dean", "Deborah", "Declan", "Denise", "Derek", "Diane", "Dominika",
    "Donna", "Dylan", "Elaine", "Eleanor", "Ella", "Emily", "Emma", "Eric", "Fatima", "Faye",
    "Fiona", "Florin", "Frank", "Gareth", "Gary", "Gemma", "George", "Grace", "Graham",
    "Hamza", "Hannah", "Harry", "Hassan", "Hayley", "Helen", "Ian", "Imran", "Isla", "Jack",
    "Jacqueline", "Jade", "James", "Jamie", "Jan", "Janet", "Jason", "Jayden", "Jean",
    "Jennifer", "Joan", "John", "Jordan", "Joseph", "Joy", "Julie", "Karen", "Kate", "Keith",
    "Kelly", "Kevin", "Kieran", "Kirsty", "Kwame", "Laura", "Lee", "Leon", "Lesley", "Liam",
    "Lily", "Linda", "Lisa", "Louise", "Lucy", "Luke", "Maria", "Mariam", "Mark", "Martin",
    "Mary", "Matthew", "Maureen", "Megan", "Michael", "Michelle", "Mohammed", "Mustafa",
    "Nadia", "Natalie", "Neil", "Nicola", "Nigel", "Noah", "Oliver", "Olivia", "Omar",
    "Patricia", "Paul", "Pauline", "Peter", "Piotr", "Priya", "Rachel", "Rajesh", "Rebecca",
    "Richard", "Robert", "Rosa", "Ryan", "Sadia", "Samantha", "Sandra", "Sarah", "Scott",
    "Sean", "Shabana", "Sharon", "Shaun", "Simon", "Sophie", "Stacey", "Stephen", "Stuart",
    "Susan", "Tanya", "Teresa", "Thomas", "Tina", "Tom", "Tony", "Tracey", "Usman", "Vanessa",
    "Victoria", "Wayne", "William", "Yasmin", "Yusuf", "Zainab", "Zofia",
)  # fmt: skip

LAST_NAMES = (
    "Abbott", "Adeyemi", "Ahmed", "Ali", "Allen", "Anderson", "Armstrong", "Bailey", "Baker",
    "Begum", "Bell", "Bennett", "Brooks", "Brown", "Burke", "Butler", "Campbell", "Carter",
    "Chapman", "Clarke", "Collins", "Cook", "Cooper", "Cox", "Davies", "Dawson", "Dixon",
    "Doherty", "Edwards", "Ellis", "Evans", "Fisher", "Fletcher", "Foster", "Fox", "Gill",
    "Graham", "Grant", "Gray", "Green", "Griffiths", "Hall", "Harris", "Harrison", "Hill",
    "Holmes", "Hughes", "Hussain", "Jackson", "James", "Jenkins", "Johnson", "Jones", "Kaur",
    "Kelly", "Khan", "King", "Knight", "Kowalski", "Lee", "Lewis", "Lloyd", "Malik",
    "Marshall", "Martin", "Mason", "Matthews", "McDonald", "Miah", "Mills", "Mitchell",
    "Moore", "Morgan", "Morris", "Murphy", "Murray", "Nowak", "O'Brien", "Okafor", "Owen",
    "Palmer", "Parker", "Patel", "Pearson", "Phillips", "Popescu", "Powell", "Price",
    "Rahman", "Reid", "Richards", "Roberts", "Robinson", "Rogers", "Rose", "Russell",
    "Saunders", "Scott", "Shah", "Sharma", "Shaw", "Simpson", "Singh", "Smith", "Stevens",
    "Stewart", "Taylor", "Thomas", "Thompson", "Turner", "Walker", "Walsh", "Ward", "Watson",
    "White", "Wilkinson", "Williams", "Wilson", "Wood", "Wright", "Young",
)  # fmt: skip

STREETS = (
    "Acacia Avenue", "Albert Road", "Beech Close", "Birch Grove", "Bridge Street",
    "Canal Walk", "Castle View", "Cedar Court", "Chapel Lane", "Church Street",
    "Clarendon Road", "Coronation Way", "Elm Drive", "Foundry Lane", "Gladstone Terrace",
    "Granby Court", "Hawthorn Rise", "High Street", "Holly Walk", "Jubilee Crescent",
    "Kingsway", "Larch House", "Linden Avenue", "Maple Court", "Meadow View",
    "Mill Lane", "Newton Street", "Oak Tree Close", "Orchard Way", "Park Road",
    "Poplar House", "Queen's Drive", "Riverside", "Rowan Close", "St John's Road",
    "School Lane", "Station Road", "Sycamore Court", "Tower Court", "Victoria Street",
    "Water Lane", "Willow Gardens", "Windsor Road", "York Street",
)  # fmt: skip

TOWNS = {
    "North patch": ("Northam", "NM"),
    "South patch": ("Southwick", "SW"),
    "East patch": ("Eastleigh Vale", "EV"),
    "West patch": ("Westbury Cross", "WX"),
}

# (needs, adjustments, preferred channel or None, language or None, communication needs)
NEEDS: tuple[tuple[str, str, Channel | None, str | None, str], ...] = (
    (
        "Autism spectrum condition",
        "Clear, literal language; written summary after every call; advance notice of any "
        "change of contact person",
        Channel.EMAIL,
        None,
        "Prefers written contact; finds unplanned calls distressing",
    ),
    (
        "Mental health: anxiety and depression (GP letter on file)",
        "Allow extra time to reply; no unannounced visits; signpost to support services",
        None,
        None,
        "",
    ),
    (
        "Mental health: bipolar disorder, under the community mental health team",
        "Agree contact through the care coordinator when unwell; avoid deadlines under 14 days",
        None,
        None,
        "Care coordinator may speak on the customer's behalf",
    ),
    (
        "Dementia (early stage)",
        "Involve the named representative; repeat key points in writing; short meetings",
        Channel.LETTER,
        None,
        "Large print letters; representative copied in",
    ),
    (
        "Hearing impairment (profoundly deaf, BSL user)",
        "BSL interpreter for meetings; contact by e-mail or text, never by telephone",
        Channel.EMAIL,
        "British Sign Language",
        "BSL interpreter needed",
    ),
    (
        "Hearing impairment (hearing aids)",
        "Face-to-face meetings in a quiet room; confirm calls in writing",
        Channel.LETTER,
        None,
        "",
    ),
    (
        "Learning disability",
        "Easy-read letters; advocate present at meetings; check understanding",
        Channel.LETTER,
        None,
        "Easy-read format",
    ),
    (
        "Visual impairment",
        "Large print (18 pt) or audio letters; read documents aloud at meetings",
        Channel.PHONE,
        None,
        "Large print or audio",
    ),
    (
        "Acquired brain injury",
        "One point of contact; short written summaries; extra time to respond",
        None,
        None,
        "",
    ),
    (
        "Post-traumatic stress disorder",
        "Avoid raised voices and confrontational meetings; offer a support worker",
        None,
        None,
        "",
    ),
    (
        "Mobility impairment (wheelchair user)",
        "Home visits or accessible venues only",
        Channel.PHONE,
        None,
        "",
    ),
)

LANGUAGES = (
    ("Polish", "Polish interpreter for meetings and important letters"),
    ("Urdu", "Urdu interpreter; letters translated"),
    ("Bengali", "Bengali interpreter"),
    ("Punjabi", "Punjabi interpreter"),
    ("Somali", "Somali interpreter; prefers a female interpreter"),
    ("Arabic", "Arabic interpreter"),
    ("Romanian", "Romanian interpreter"),
    ("Portuguese", "Portuguese interpreter"),
    ("Tigrinya", "Tigrinya interpreter (book 5 days ahead)"),
)

REPRESENTATIVES = (
    "Advocate: {name}, Citizens Advice",
    "Daughter: {name} (authority to act on file)",
    "Son: {name} (authority to act on file)",
    "Support worker: {name}, community mental health team",
    "Solicitor: {name}, Legal Aid housing team",
    "Independent advocate: {name}, local advocacy service",
    "Councillor {name} (enquiry on the customer's behalf)",
)

TOPICS = (
    "the outstanding damp and mould repair",
    "a rent arrears letter",
    "a neighbour noise complaint",
    "the stage 2 complaint response",
    "a parking dispute",
    "the broken garden fence",
    "a transfer application",
    "service charges",
    "the repairs appointment that was missed",
    "a housing benefit query",
    "communal cleaning",
    "the kitchen replacement programme",
)

CONTACT_TOPICS = (
    "rent account",
    "repair update",
    "complaint follow-up",
    "neighbour dispute",
    "transfer request",
    "service charge query",
    "appointment",
    "general enquiry",
)

EXCLUSION_TOPICS = tuple(t.value for t in ExclusionTopic)

BEHAVIOUR_PHRASES: dict[Behaviour, str] = {
    Behaviour.DEGRADING_LANGUAGE: "used racist and degrading language towards the officer",
    Behaviour.THREATS_OF_VIOLENCE: "threatened to 'sort out' the officer if nothing was done",
    Behaviour.INTIMIDATION: "stood over the officer and blocked the way out of the room",
    Behaviour.PROPERTY_DAMAGE: "kicked and damaged the reception screen",
    Behaviour.SWEARING_SHOUTING: "shouted and swore repeatedly, despite being asked to stop",
    Behaviour.PERSONAL_ABUSE: "made personal remarks about the officer's appearance",
    Behaviour.INFLAMMATORY_ALLEGATIONS: "accused the officer of theft without any basis",
    Behaviour.DEMANDS_PRIORITY: "demanded that a routine repair be treated as an emergency",
    Behaviour.DISPROPORTIONATE_DEMANDS: "demanded compensation far beyond the matter raised",
    Behaviour.OUTSIDE_TIMESCALES: "demanded a same-day response outside policy timescales",
    Behaviour.HIGH_VOLUME_COMMUNICATION: "sent more than twenty messages in a single day",
    Behaviour.IRRELEVANT_INFORMATION_REQUESTS: "requested large volumes of unrelated records",
    Behaviour.PARTICULAR_COLLEAGUE: "refused to speak to anyone but one named officer",
    Behaviour.SERVICES_NOT_OFFERED: "kept asking for a service the landlord does not offer",
    Behaviour.CHANGING_COMPLAINT: "changed the substance of the complaint again",
    Behaviour.REPEATED_SIMILAR_ISSUES: "raised again an issue already answered twice",
    Behaviour.PERSISTENT_APPROACH: "rang five times in an hour about the same question",
    Behaviour.REFUSES_COMPLAINT_DECISION: "refused to accept the final complaint decision",
    Behaviour.REFUSES_EXPLANATIONS: "refused to accept the explanation of what we can do",
    Behaviour.REFUSES_SPOC: "refused to deal with the appointed single point of contact",
    Behaviour.INSISTS_NO_RESPONSE: "insisted no reply had been sent, despite copies",
    Behaviour.PURSUES_CLOSED_ISSUE: "pursued a closed complaint with no new information",
    Behaviour.UNREASONABLE_CONTACT_VOLUME: "made an unreasonable number of contacts on one issue",
    Behaviour.UNANNOUNCED_VISITS: "came to the office without an appointment for the third time",
    Behaviour.IRRELEVANT_DOCUMENTS: "sent a large bundle of duplicate and irrelevant documents",
    Behaviour.COVERT_RECORDING: "was found recording the meeting without telling anyone",
    Behaviour.OTHER: "behaved in a way colleagues found unacceptable (see notes)",
}

CHANNEL_CONTEXT: dict[Channel, str] = {
    Channel.PHONE: "On a call",
    Channel.EMAIL: "By e-mail",
    Channel.LETTER: "In a letter",
    Channel.VISIT: "At the office",
    Channel.SOCIAL_MEDIA: "On social media",
    Channel.WEB: "Through the web form",
}

ACTIONS_TAKEN: dict[Severity, tuple[str, ...]] = {
    Severity.LOW: (
        "Logged; reminded the customer of expected behaviour.",
        "Logged and acknowledged; no further action.",
        "Explained the position again and closed the contact.",
    ),
    Severity.MODERATE: (
        "Ended the call after a warning; line manager informed.",
        "Logged; case manager asked to consider an informal warning.",
        "Reply sent setting out what we can and cannot do.",
    ),
    Severity.SERIOUS: (
        "Contact ended; case manager and line manager informed the same day.",
        "Colleague supported by manager; incident escalated to the case manager.",
        "Meeting stopped; customer asked to leave; case manager informed.",
    ),
    Severity.EXTREME: (
        "Police called; colleague removed from the situation; welfare support offered.",
        "Building evacuated to a safe room; police attended; risk marker reviewed.",
    ),
}

RESTRICTION_REASONS = (
    "Abusive behaviour towards colleagues continued after a formal warning.",
    "Volume of contact prevents the team from serving other customers; warnings ignored.",
    "Threats towards colleagues; contact must be managed to keep colleagues safe.",
    "Repeated unannounced visits and persistent calls on one resolved issue.",
    "Vexatious pursuit of a closed complaint despite informal and formal warnings.",
)

INFORMED = (
    "Contact centre, repairs contractor, neighbourhood team",
    "Contact centre and income team",
    "All front-line colleagues in the patch; repairs contractor",
    "Contact centre, estate services, anti-social behaviour team",
)

EIA_ALTERNATIVES = (
    "Support referral and informal warning tried first; did not change the behaviour.",
    "Mediation offered and declined; informal warning given.",
    "Agreed contact plan tried for two months without success.",
)

EIA_CONCLUSIONS = (
    "Restricting contact is proportionate; adjustments keep services accessible.",
    "Proportionate: the restriction protects colleagues while keeping written access open.",
    "Proportionate with the adjustments listed; review in six months.",
)

EIA_NOT_PROPORTIONATE = (
    "Not proportionate at present: needs not yet met; support plan to be tried first.",
    "Not proportionate: the behaviour may be linked to unmet needs; refer for support.",
)

CIRCUMSTANCES = (
    "GP letter received: new diagnosis affects how the customer communicates.",
    "Customer now has a representative acting for them.",
    "Customer has moved to a new address within the patch.",
    "Customer bereaved; support worker now involved.",
    "Customer's recorded needs updated after an assessment.",
)

INFORMAL_NOTES = {
    "support": (
        "Referred to tenancy support; agreed contact plan explained.",
        "Met the customer with their representative; support options offered.",
        "Signposted to mental health support; contact expectations explained.",
    ),
    "initial_warning": (
        "Told by phone which behaviour is unacceptable and what may follow.",
        "Initial warning letter sent explaining the expected standard of behaviour.",
        "Discussed the incidents at a meeting; initial warning given.",
    ),
}

REVIEW_NOTES = {
    "remain": "Behaviour has not improved enough; restriction remains as it is.",
    "adjust": "Some improvement; restriction adjusted to allow e-mail contact as well.",
    "remove": "Behaviour has improved; restriction removed and the customer told.",
}

SPOC_FINDINGS = (
    "Correspondence answered within timescales; decisions recorded.",
    "Two replies were late; SPOC reminded of the timescales.",
    "All contact logged; customer told of changes; arrangement still proportionate.",
    "Decision log incomplete for one month; otherwise satisfactory.",
)

RECOMMENDATIONS = (
    "Send the customer a summary of the arrangement in easy-read format.",
    "Update the decision log with the last month's calls.",
    "Arrange a meeting with the customer and their representative.",
    "Check the equality impact assessment is still current.",
    "Book a BSL interpreter for the next meeting.",
    "Reply to the outstanding repairs query in writing.",
    "Agree cover arrangements for the SPOC's leave.",
)

LEGAL_NOTES = {
    "legal_advice": "Legal services consulted on the pattern of breaches.",
    "legal_warning_letter": "Legal warning letter sent by legal services.",
    "injunction": "Injunction application issued in the county court.",
    "civil_restraint_order": "Application made for a civil restraint order.",
    "nosp": "Notice of Seeking Possession served.",
}

CATEGORY_WEIGHTS: tuple[tuple[Category, int], ...] = (
    (Category.AGGRESSIVE_ABUSIVE, 35),
    (Category.UNREASONABLE_DEMANDS, 33),
    (Category.UNREASONABLY_PERSISTENT, 32),
)
