/// The limits of the dates Inzage reads from what people and other systems give it: request files, the command
/// line, imports.
public enum InputDates {
    /// The earliest year a date is read in. Calendars read earlier dates in other ways (before 15 October 1582 the
    /// Julian calendar), and no request, consent or change of this kind is that old: an earlier year is a typing error.
    public static let earliestYear = 1900
}
