import Foundation

/// A day on which a legal period cannot end: a public holiday or a day treated as one.
public struct PublicHoliday: Codable, Sendable, Hashable {
    /// The calendar date of the holiday.
    public var date: CivilDate
    /// A stable key, such as `kings-day`, or ``decreedDayKey`` for a configured day.
    public var key: String
    /// The name of the day in nl and en.
    public var name: LocalizedText

    /// The key of days added by decree (bridging days) or by configuration.
    public static let decreedDayKey = "decreed-day"

    /// Creates a holiday.
    public init(date: CivilDate, key: String, name: LocalizedText) {
        self.date = date
        self.key = key
        self.name = name
    }

    /// A day that a decree treats as a public holiday, such as a bridging day
    /// (Algemene termijnenwet art. 3(3)).
    public static func decreed(
        _ date: CivilDate,
        name: LocalizedText = LocalizedText(
            nl: "Bij besluit met een feestdag gelijkgestelde dag",
            en: "Day treated as a public holiday by decree"
        )
    ) -> PublicHoliday {
        PublicHoliday(date: date, key: decreedDayKey, name: name)
    }
}

/// The rules that give a country's public holidays for a year.
///
/// Conform to add a country other than the Netherlands. Implementations must return a finite, small
/// list; dates outside `year` are ignored by ``PublicHolidays``.
public protocol PublicHolidayRules: Sendable {
    /// The public holidays that fall in `year`.
    func holidays(in year: Int) -> [PublicHoliday]
}

/// The Dutch public holidays for legal periods, per Algemene termijnenwet art. 3(1) and (2).
///
/// New Year's Day, Good Friday (art. 3(2)), Easter Monday, King's Day, 5 May (every year), Ascension
/// Day, Whit Monday, Christmas Day and Boxing Day. Easter Sunday and Whit Sunday are Sundays and need
/// no entry. King's Day is 27 April, or 26 April when the 27th is a Sunday; before 2014 the day was
/// Queen's Day on another date, which these rules do not model (no request Inzage handles is that old).
/// A holiday on a Saturday or Sunday is not moved to another day, apart from the King's Day rule.
public struct DutchPublicHolidays: PublicHolidayRules {
    /// Creates the Dutch rules.
    public init() {}

    /// The nine Dutch public holidays of `year`, in date order.
    public func holidays(in year: Int) -> [PublicHoliday] {
        let easter = Self.easterSunday(in: year)
        let april27 = CivilDate(uncheckedYear: year, month: 4, day: 27)
        let kingsDay = april27.weekday == .sunday ? april27.adding(days: -1) : april27
        let days = [
            PublicHoliday(date: CivilDate(uncheckedYear: year, month: 1, day: 1), key: "new-years-day",
                          name: LocalizedText(nl: "Nieuwjaarsdag", en: "New Year's Day")),
            PublicHoliday(date: easter.adding(days: -2), key: "good-friday",
                          name: LocalizedText(nl: "Goede Vrijdag", en: "Good Friday")),
            PublicHoliday(date: easter.adding(days: 1), key: "easter-monday",
                          name: LocalizedText(nl: "Tweede paasdag", en: "Easter Monday")),
            PublicHoliday(date: kingsDay, key: "kings-day",
                          name: LocalizedText(nl: "Koningsdag", en: "King's Day")),
            PublicHoliday(date: CivilDate(uncheckedYear: year, month: 5, day: 5), key: "liberation-day",
                          name: LocalizedText(nl: "Bevrijdingsdag", en: "Liberation Day")),
            PublicHoliday(date: easter.adding(days: 39), key: "ascension-day",
                          name: LocalizedText(nl: "Hemelvaartsdag", en: "Ascension Day")),
            PublicHoliday(date: easter.adding(days: 50), key: "whit-monday",
                          name: LocalizedText(nl: "Tweede pinksterdag", en: "Whit Monday")),
            PublicHoliday(date: CivilDate(uncheckedYear: year, month: 12, day: 25), key: "christmas-day",
                          name: LocalizedText(nl: "Eerste kerstdag", en: "Christmas Day")),
            PublicHoliday(date: CivilDate(uncheckedYear: year, month: 12, day: 26), key: "boxing-day",
                          name: LocalizedText(nl: "Tweede kerstdag", en: "Boxing Day")),
        ]
        return days.sorted { $0.date < $1.date }
    }

    /// Western (Gregorian) Easter Sunday of `year`, by the anonymous Gregorian algorithm
    /// (Meeus/Jones/Butcher). Meaningful for years from 1583.
    public static func easterSunday(in year: Int) -> CivilDate {
        let a = year % 19
        let b = year / 100
        let c = year % 100
        let d = b / 4
        let e = b % 4
        let f = (b + 8) / 25
        let g = (b - f + 1) / 3
        let h = (19 * a + b - d - g + 15) % 30
        let i = c / 4
        let k = c % 4
        let l = (32 + 2 * e + 2 * i - h - k) % 7
        let m = (a + 11 * h + 22 * l) / 451
        let month = (h + l - 7 * m + 114) / 31
        let day = (h + l - 7 * m + 114) % 31 + 1
        return CivilDate(uncheckedYear: year, month: month, day: day)
    }
}

/// The public holidays of the organisation's country plus the days configured on top of them
/// (bridging days that a decree treats as holidays, listed per year by their dates).
public struct PublicHolidays: Sendable {
    /// The country's rules.
    public let rules: any PublicHolidayRules
    /// Days configured on top of the rules, such as bridging days by decree.
    public let additionalDays: [PublicHoliday]

    /// The Dutch holidays with no additional days configured.
    public static let netherlands = PublicHolidays(rules: DutchPublicHolidays())

    /// Creates a holiday provider from a country's rules and extra configured days.
    public init(rules: any PublicHolidayRules, additionalDays: [PublicHoliday] = []) {
        self.rules = rules
        self.additionalDays = additionalDays
    }

    /// The same provider with `days` configured in addition.
    public func adding(_ days: [PublicHoliday]) -> PublicHolidays {
        PublicHolidays(rules: rules, additionalDays: additionalDays + days)
    }

    /// The same provider with the given dates configured as days treated as holidays by decree.
    public func addingDecreedDays(_ dates: [CivilDate]) -> PublicHolidays {
        adding(dates.map { PublicHoliday.decreed($0) })
    }

    /// All holidays of `year`, rule-based and configured, in date order. Two entries may share a date
    /// (for example Ascension Day on 5 May).
    public func holidays(in year: Int) -> [PublicHoliday] {
        let fromRules = rules.holidays(in: year).filter { $0.date.year == year }
        let configured = additionalDays.filter { $0.date.year == year }
        // A stable sort keeps the rule-based entry first when a configured day repeats it.
        return (fromRules + configured).enumerated()
            .sorted { ($0.element.date, $0.offset) < ($1.element.date, $1.offset) }
            .map(\.element)
    }

    /// The holidays that fall on `date`; empty on an ordinary day.
    public func holidays(on date: CivilDate) -> [PublicHoliday] {
        holidays(in: date.year).filter { $0.date == date }
    }

    /// Whether `date` is a public holiday or a configured day.
    public func isHoliday(_ date: CivilDate) -> Bool {
        !holidays(on: date).isEmpty
    }
}
