import Foundation
import Synchronization

/// Builds a deterministic demo CRM through the ledger's one mutation path: persons from several sources,
/// consents given, renewed, withdrawn and objected to, and later corrections of personal data.
///
/// The same `personCount` and `seed` give the same database, to the byte of every value and timestamp.
public struct DemoCRM: Sendable {
    /// How many persons to register.
    public var personCount: Int
    /// The seed of the pseudo-random choices.
    public var seed: UInt64
    /// The instant of the first change.
    public var start: Date
    /// No change is made after this instant: the persons' stories start spread evenly between `start` and some
    /// months before it, in the order of the persons, each going on at irregular intervals for at most four months.
    /// (With less than ``storyLength`` between `start` and `end`, every story starts at `start` and may end after `end`.)
    public var end: Date

    /// How long one person's story may last: the longest run of the irregular intervals below (under 123 days).
    static let storyLength: TimeInterval = 125 * 86_400

    /// The names of the staff members who appear as actors (they are not the persons' data).
    public static let staff = ["a.jansen", "m.de-vries", "s.bakker", "privacy-officer"]

    /// Creates a demo description; by default its changes lie between 1 January 2024 and 1 October 2026, before the
    /// sample requests in `requests/` were received.
    public init(personCount: Int = 1_200, seed: UInt64 = 2018_05_25, start: Date = Date(timeIntervalSince1970: 1_704_096_000),
                end: Date = Date(timeIntervalSince1970: 1_790_812_800)) {
        self.personCount = personCount
        self.seed = seed
        self.start = start
        self.end = end
    }

    /// When the story of the person at `index` starts: evenly spread, so that the last one ends before ``end``.
    func storyStart(index: Int) -> Date {
        let first = start.addingTimeInterval(3_600)
        let span = max(0, end.timeIntervalSince(first) - Self.storyLength)
        return first.addingTimeInterval((span * Double(index) / Double(max(personCount, 1))).rounded(.down))
    }

    /// What the demo wrote.
    public struct Summary: Sendable {
        /// The ids of the persons registered, in order.
        public var personIDs: [Int64] = []
        /// How many consents were recorded.
        public var consents = 0
        /// How many later corrections of personal data were made.
        public var corrections = 0
    }

    /// Fills `database` (which should be new) with the demo CRM.
    public func populate(_ database: InzageDatabase) throws -> Summary {
        let clock = DemoClock(start: start)
        let ledger = Ledger(store: database, clock: { clock.now() })
        var random = SplitMix64(seed: seed)
        var summary = Summary()

        try addRecipients(ledger)
        // What a consent receipt names besides the default organisation profile.
        try ledger.setSetting(SettingKey.phone.rawValue, value: "+31 20 123 4567", by: "privacy-officer")
        try ledger.setSetting(SettingKey.privacyStatementURL.rawValue, value: "https://example.nl/privacy", by: "privacy-officer")
        let sourceKeys = try ledger.referenceLists().sources.filter(\.active).map(\.key)

        for index in 0..<personCount {
            clock.set(storyStart(index: index))
            let details = makeDetails(index: index, random: &random, sourceKeys: sourceKeys)
            let actor = Attribution(by: random.pick(Self.staff.dropLast()), via: .cli)
            let person = try ledger.addPerson(details, attribution: actor)
            summary.personIDs.append(person.id)
            clock.advance(minutes: random.next(upTo: 90) + 1)

            let source = details.sourceKey ?? "unknown"
            try ledger.giveConsent(ConsentGrant(personID: person.id, purposeKey: "sales-and-service", sourceKey: source,
                                                comment: random.chance(0.2) ? "Klant sinds eerste bestelling" : nil), attribution: actor)
            summary.consents += 1
            if random.chance(0.65) {
                clock.advance(minutes: random.next(upTo: 30))
                try ledger.giveConsent(ConsentGrant(personID: person.id, purposeKey: "e-marketing", sourceKey: source,
                                                    evidence: "form-\(100_000 + index)"), attribution: actor)
                summary.consents += 1
                try laterConsentEvents(personID: person.id, ledger: ledger, clock: clock, random: &random, summary: &summary)
            }
            if random.chance(0.35) {
                clock.advance(minutes: random.next(upTo: 60 * 24 * 30))
                summary.corrections += try correct(person, ledger: ledger, random: &random)
            }
        }
        return summary
    }

    private func laterConsentEvents(personID: Int64, ledger: Ledger, clock: DemoClock, random: inout SplitMix64, summary: inout Summary) throws {
        let roll = random.next(upTo: 100)
        clock.advance(minutes: random.next(upTo: 60 * 24 * 90) + 60)
        let person = Attribution(by: Attribution.dataSubject, via: .preferencePage)
        switch roll {
        case 0..<15:
            try ledger.withdrawConsent(personID: personID, purposeKey: "e-marketing", attribution: person)
        case 15..<20:
            try ledger.recordObjection(personID: personID, purposeKey: "e-marketing",
                                       attribution: Attribution(by: "privacy-officer", via: .cli, reason: "Bezwaar per e-mail ontvangen"))
        case 20..<45:
            try ledger.giveConsent(ConsentGrant(personID: personID, purposeKey: "e-marketing", sourceKey: "customer-portal"), attribution: person)
            summary.consents += 1
        default:
            break
        }
    }

    private func correct(_ person: Person, ledger: Ledger, random: inout SplitMix64) throws -> Int {
        var changes: [PersonField: String?] = [:]
        switch random.next(upTo: 4) {
        case 0: changes[.phone] = "+31 6 \(10_000_000 + random.next(upTo: 89_999_999))"
        case 1: changes[.jobTitle] = random.pick(Self.jobTitles.filter { $0 != person.details.jobTitle })
        case 2: changes[.city] = random.pick(Self.cities(of: person.details.country ?? "NL").filter { $0 != person.details.city })
        default: changes[.email] = "nieuw.\(person.id)@" + random.pick(Self.domains)
        }
        let attribution = Attribution(by: random.pick(Self.staff.dropLast()), via: .cli, reason: "Gewijzigd na telefonisch contact")
        try ledger.updatePerson(id: person.id, changes: changes, attribution: attribution)
        return 1
    }

    private func addRecipients(_ ledger: Ledger) throws {
        let by = "privacy-officer"
        try ledger.addRecipient(Recipient(key: "crm-hosting", name: "Wolkenrand Hosting B.V.", role: .processor, country: "NL",
                                          contactEmail: "privacy@wolkenrand.example", rank: 10), by: by)
        // The hosting company holds the whole CRM; the others receive only what their work needs (Art. 19 follows that).
        try ledger.addRecipient(Recipient(key: "mailing-service", name: "Nieuwsbrief Diensten B.V.", role: .processor, country: "NL",
                                          contactEmail: "dpo@nieuwsbrief.example",
                                          fields: [.firstName, .namePrefix, .lastName, .email, .language], rank: 20), by: by)
        try ledger.addRecipient(Recipient(key: "accountant", name: "Cijfer & Co Accountants", role: .controller, country: "NL",
                                          contactEmail: "info@cijferco.example",
                                          fields: [.firstName, .namePrefix, .lastName, .email, .street, .postalCode, .city, .country,
                                                   .organisation, .externalID], rank: 30), by: by)
        try ledger.setRecipients(["crm-hosting", "accountant"], forPurpose: "sales-and-service", by: by)
        try ledger.setRecipients(["crm-hosting", "mailing-service"], forPurpose: "e-marketing", by: by)
    }

    private func makeDetails(index: Int, random: inout SplitMix64, sourceKeys: [String]) -> PersonDetails {
        let dutch = random.chance(0.75)
        let first = random.pick(dutch ? Self.dutchFirstNames : Self.englishFirstNames)
        let last = random.pick(dutch ? Self.dutchLastNames : Self.englishLastNames)
        let prefix = dutch && random.chance(0.3) ? random.pick(["van", "de", "van der", "van den", "ter"]) : nil
        let emailName = [first, prefix, last].compactMap { $0 }.joined(separator: ".")
            .lowercased().replacingOccurrences(of: " ", with: "")
            .folding(options: .diacriticInsensitive, locale: nil)
        var organisation = random.chance(0.8) ? random.pick(Self.organisations) : nil
        // The draws stay in the order they always had (the sample requests name persons by the e-mail addresses they
        // give); the street and city are then taken from the lists of the person's country.
        let email = "\(emailName).\(index + 1)@" + random.pick(Self.domains)
        let phone = random.chance(0.7) ? "+31 20 \(1_000_000 + random.next(upTo: 8_999_999))" : nil
        let street = random.chance(0.5) ? (place: random.next(upTo: Self.streets.count), number: random.next(upTo: 200) + 1) : nil
        let city = random.chance(0.6) ? random.next(upTo: Self.cities.count) : nil
        let country = dutch ? "NL" : random.pick(["GB", "IE", "BE"])
        var jobTitle = organisation == nil ? nil : random.pick(Self.jobTitles)
        if index == Self.buyerIndex {
            // The sample rectification request (requests/rectification-several-items.json) asks to remove this
            // person's organisation and says they no longer work as a buyer.
            organisation = "Hoogland Logistiek B.V."
            jobTitle = "Inkoper"
        }
        return PersonDetails(
            firstName: first, namePrefix: prefix, lastName: last,
            email: email,
            phone: phone,
            street: street.map { "\(Self.streets(of: country)[$0.place]) \($0.number)" },
            postalCode: nil,
            city: city.map { Self.cities(of: country)[$0] },
            country: country,
            organisation: organisation,
            jobTitle: jobTitle,
            language: dutch ? "nl" : "en",
            externalID: random.chance(0.5) ? "SO-\(40_000 + index)" : nil,
            sourceKey: random.pick(sourceKeys.filter { $0 != "unknown" }))
    }

    static let dutchFirstNames = ["Anna", "Bram", "Daan", "Emma", "Eva", "Fleur", "Jesse", "Julia", "Lars", "Lotte",
                                  "Lucas", "Noah", "Sanne", "Sem", "Sophie", "Thijs", "Tess", "Ruben", "Iris", "Joris"]
    static let englishFirstNames = ["Alice", "Ben", "Charlotte", "Daniel", "Grace", "Harry", "Isla", "Jack", "Olivia", "Thomas"]
    static let dutchLastNames = ["Jansen", "Bakker", "Visser", "Smit", "Meijer", "Mulder", "Bos", "Vos", "Peters", "Hendriks",
                                 "Dekker", "Brouwer", "Dijkstra", "Berg", "Kok", "Jacobs", "Vermeulen", "Willems", "Groot", "Çelik"]
    static let englishLastNames = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "O'Brien", "Walker", "Wright"]
    static let organisations = ["Bakkerij De Korenschoof", "Fietsenmakerij Snel", "Gemeentelijk Museum", "Hoogland Logistiek B.V.",
                                "Klompenmakerij Aalders", "Noordzee Visserij", "Tulpenkwekerij Zonneveld", "Waterschap Rijnland"]
    static let jobTitles = ["Inkoper", "Directeur", "Office manager", "Marketingadviseur", "Projectleider", "Buyer", "Sales manager"]
    static let cities = ["Amsterdam", "Rotterdam", "Utrecht", "Den Haag", "Groningen", "Eindhoven", "Leeuwarden", "Maastricht"]
    static let streets = ["Kerkstraat", "Dorpsstraat", "Stationsweg", "Molenweg", "Schoolstraat", "Prinsengracht"]
    /// The index of the person whose story the sample rectification request continues (Lucas van der Vos).
    static let buyerIndex = 4

    /// The cities of `country`, as many as ``cities`` (one draw picks from either).
    static func cities(of country: String) -> [String] {
        switch country {
        case "GB": ["London", "Manchester", "Bristol", "Leeds", "York", "Oxford", "Brighton", "Norwich"]
        case "IE": ["Dublin", "Cork", "Galway", "Limerick", "Waterford", "Kilkenny", "Sligo", "Athlone"]
        case "BE": ["Antwerpen", "Gent", "Brugge", "Leuven", "Hasselt", "Mechelen", "Brussel", "Kortrijk"]
        default: cities
        }
    }

    /// The street names of `country`, as many as ``streets``.
    static func streets(of country: String) -> [String] {
        switch country {
        case "GB": ["High Street", "Station Road", "Church Lane", "Mill Road", "Park Avenue", "Victoria Street"]
        case "IE": ["Main Street", "Church Road", "Bridge Street", "Mill Lane", "Green Road", "Castle Street"]
        case "BE": ["Kerkstraat", "Stationsstraat", "Molenstraat", "Schoolstraat", "Dorpsstraat", "Nieuwstraat"]
        default: streets
        }
    }
    static let domains = ["example.nl", "example.com", "voorbeeld.nl", "mail.example.org"]
}

/// A clock that only moves when told to, so that a demo run is reproducible.
final class DemoClock: Sendable {
    private let current: Mutex<Date>

    init(start: Date) { current = Mutex(start) }

    /// The current instant.
    func now() -> Date { current.withLock { $0 } }

    /// Puts the clock at `instant`.
    func set(_ instant: Date) {
        current.withLock { $0 = instant }
    }

    /// Moves the clock forward.
    func advance(minutes: Int) {
        current.withLock { $0 = $0.addingTimeInterval(TimeInterval(minutes * 60)) }
    }
}

/// A small, fast, seedable pseudo-random generator (SplitMix64), identical on every platform.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in 0..<bound.
    mutating func next(upTo bound: Int) -> Int {
        Int(next() % UInt64(max(bound, 1)))
    }

    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool {
        Double(next() >> 11) / Double(1 << 53) < p
    }

    /// One element of a non-empty collection.
    mutating func pick<C: Collection>(_ elements: C) -> C.Element where C.Index == Int {
        elements[elements.startIndex + next(upTo: elements.count)]
    }
}
