#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A time zone's offset from UTC, remembered until the zone's next transition.
///
/// `TimeZone.secondsFromGMT(for:)` asks the time zone database for every date; a sheet or document of thousands
/// of timestamps in one zone, mostly in order, needs it once per daylight-saving period. The cached offset holds
/// from the date it was looked up for until the zone's next transition after that date, so every answer equals
/// `secondsFromGMT(for:)`.
public struct TimeZoneOffsets: Sendable {
    private var zone: TimeZone?
    private var validFrom = Date.distantFuture
    private var validUntil = Date.distantPast
    private var offset = 0

    /// An empty cache.
    public init() {}

    /// The offset of `timeZone` from UTC at `date`, in seconds: `timeZone.secondsFromGMT(for: date)`.
    public mutating func seconds(at date: Date, in timeZone: TimeZone) -> Int {
        if date >= validFrom, date < validUntil, zone == timeZone { return offset }
        offset = timeZone.secondsFromGMT(for: date)
        zone = timeZone
        validFrom = date
        validUntil = timeZone.nextDaylightSavingTimeTransition(after: date) ?? .distantFuture
        return offset
    }
}
