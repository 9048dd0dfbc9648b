/// The countries of the European Economic Area: the 27 member states of the European Union, Iceland, Liechtenstein and
/// Norway, with the parts of the EU that ISO 3166-1 gives codes of their own. Personal data that leaves them is
/// transferred to a third country (GDPR Chapter V), which the person must be told of, with its safeguards (Art. 15(2)).
public enum EuropeanEconomicArea {
    /// The ISO 3166-1 alpha-2 codes of the EEA's countries (Greece as GR, as ISO 3166 has it, not the EU's EL).
    public static let countryCodes: Set<String> = [
        "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU",
        "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
        "IS", "LI", "NO",
        // Part of the EU with codes of their own: the outermost regions French Guiana, Guadeloupe, Martinique,
        // Réunion, Mayotte and Saint-Martin (Art. 349 TFEU), and Åland (part of Finland). Not the overseas countries and
        // territories (such as French Polynesia or Aruba), the Faroe Islands or Greenland, which are outside the EU.
        "GF", "GP", "MQ", "RE", "YT", "MF", "AX",
    ]

    /// Whether `code` (an ISO 3166-1 alpha-2 code, upper case) is a country of the EEA.
    public static func contains(_ code: String) -> Bool { countryCodes.contains(code) }
}
