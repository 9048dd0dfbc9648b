import Foundation

/// The reference lists a new database starts with (design.md §2); all of them can be edited afterwards.
public enum DefaultReferenceLists {
    /// The six legal bases of GDPR Art. 6(1).
    public static let legalBases: [LegalBasis] = [
        basis("consent", "a", rank: 10,
              nl: "Toestemming", en: "Consent",
              nlText: "Wij gebruiken uw gegevens voor dit doel alleen als u daarvoor toestemming geeft. U kunt die toestemming altijd intrekken.",
              enText: "We use your data for this purpose only if you give your consent. You can withdraw it at any time."),
        basis("contract", "b", rank: 20,
              nl: "Overeenkomst", en: "Contract",
              nlText: "We hebben uw gegevens nodig om een overeenkomst met u uit te voeren of aan te gaan.",
              enText: "We need your data to perform a contract with you, or to enter into one at your request."),
        basis("legal-obligation", "c", rank: 30,
              nl: "Wettelijke verplichting", en: "Legal obligation",
              nlText: "De wet verplicht ons uw gegevens te verwerken, bijvoorbeeld voor de belastingadministratie.",
              enText: "The law obliges us to process your data, for example for tax records."),
        basis("vital-interests", "d", rank: 40,
              nl: "Vitaal belang", en: "Vital interests",
              nlText: "De verwerking is nodig om iemands leven of gezondheid te beschermen.",
              enText: "The processing is needed to protect someone's life or health."),
        basis("public-task", "e", rank: 50,
              nl: "Taak van algemeen belang", en: "Public task",
              nlText: "De verwerking is nodig voor een taak van algemeen belang of de uitoefening van openbaar gezag.",
              enText: "The processing is needed for a task in the public interest or in the exercise of official authority."),
        basis("legitimate-interest", "f", rank: 60,
              nl: "Gerechtvaardigd belang", en: "Legitimate interest",
              nlText: "We hebben een gerechtvaardigd belang bij de verwerking en hebben dat afgewogen tegen uw belangen. U kunt bezwaar maken.",
              enText: "We have a legitimate interest in the processing and weighed it against your interests. You may object."),
    ]

    /// The two purposes of the CRM's consent management feature.
    public static let purposes: [Purpose] = [
        Purpose(
            key: "sales-and-service",
            name: LocalizedText(nl: "Verkoop en dienstverlening", en: "Sales and service"),
            description: LocalizedText(
                nl: "We bewaren uw gegevens om u producten en diensten te verkopen en u daarbij te helpen.",
                en: "We keep your data to sell you products and services and to help you with them."),
            defaultBasisKey: "legitimate-interest",
            dataCategories: LocalizedText(
                nl: "Naam, contactgegevens, organisatie en functie, contacthistorie",
                en: "Name, contact details, organisation and job title, contact history"),
            retention: LocalizedText(
                nl: "Tot twee jaar na het laatste contact, daarna worden de gegevens verwijderd.",
                en: "Until two years after the last contact; the data is then deleted."),
            consentText: LocalizedText(
                nl: "Ik ga ermee akkoord dat mijn gegevens worden gebruikt voor verkoop en dienstverlening.",
                en: "I agree that my data is used for sales and service."),
            rank: 10),
        Purpose(
            key: "e-marketing",
            name: LocalizedText(nl: "E-marketing", en: "E-marketing"),
            description: LocalizedText(
                nl: "We sturen u nieuwsbrieven en aanbiedingen per e-mail.",
                en: "We send you newsletters and offers by e-mail."),
            defaultBasisKey: "consent",
            dataCategories: LocalizedText(
                nl: "Naam, e-mailadres, taalvoorkeur, interesses",
                en: "Name, e-mail address, preferred language, interests"),
            retention: LocalizedText(
                nl: "Zolang uw toestemming geldt; na intrekking alleen nog op de lijst van mensen die geen mailings willen.",
                en: "As long as your consent stands; after withdrawal only on the list of people who want no mailings."),
            consentText: LocalizedText(
                nl: "Ja, ik wil nieuwsbrieven en aanbiedingen per e-mail ontvangen. Afmelden kan altijd.",
                en: "Yes, I want to receive newsletters and offers by e-mail. I can unsubscribe at any time."),
            isDirectMarketing: true,
            rank: 20),
    ]

    /// The sources personal data can come from.
    public static let sources: [Source] = [
        source("created-by-user", .thirdParty, rank: 10, nl: "Ingevoerd door medewerker", en: "Created by user",
               nlText: "Een medewerker heeft uw gegevens ingevoerd.", enText: "A member of staff entered your data."),
        source("business-card", .dataSubject, rank: 20, nl: "Visitekaartje", en: "Business card",
               nlText: "U hebt ons uw visitekaartje gegeven.", enText: "You gave us your business card."),
        source("email", .dataSubject, rank: 30, nl: "E-mail", en: "E-mail",
               nlText: "U hebt ons een e-mail gestuurd.", enText: "You sent us an e-mail."),
        source("incoming-request", .dataSubject, rank: 40, nl: "Binnenkomende aanvraag", en: "Incoming request",
               nlText: "U hebt ons een vraag of aanvraag gestuurd.", enText: "You sent us a question or request."),
        source("chat", .dataSubject, rank: 50, nl: "Chat", en: "Chat",
               nlText: "U hebt met ons gechat.", enText: "You chatted with us."),
        source("phone", .dataSubject, rank: 60, nl: "Telefoon", en: "Phone",
               nlText: "U hebt ons gebeld of wij u.", enText: "You called us, or we called you."),
        source("web-form", .dataSubject, rank: 70, nl: "Webformulier", en: "Web form",
               nlText: "U hebt een formulier op onze website ingevuld.", enText: "You filled in a form on our web site.",
               template: "confirmation"),
        source("customer-portal", .dataSubject, rank: 80, nl: "Klantportaal", en: "Customer portal",
               nlText: "U hebt uw gegevens zelf ingevoerd in ons klantportaal of op uw persoonlijke voorkeurenpagina.",
               enText: "You entered your details yourself in our customer portal or on your personal preference page.",
               template: "confirmation"),
        source("event", .dataSubject, rank: 90, nl: "Evenement", en: "Event",
               nlText: "U hebt zich aangemeld voor een evenement van ons.", enText: "You signed up for one of our events.",
               template: "confirmation"),
        source("import", .thirdParty, rank: 100, nl: "Import", en: "Import",
               nlText: "Uw gegevens zijn overgenomen uit een ander systeem of bestand.", enText: "Your data was taken over from another system or file."),
        source("other-integration", .thirdParty, rank: 110, nl: "Andere koppeling", en: "Other integration",
               nlText: "Uw gegevens kwamen binnen via een gekoppeld systeem.", enText: "Your data came in through a connected system."),
        source("unknown", .thirdParty, rank: 120, nl: "Onbekend", en: "Unknown",
               nlText: "We weten niet meer hoe we aan deze gegevens zijn gekomen.", enText: "We no longer know how this data reached us."),
    ]

    private static func basis(_ key: String, _ letter: String, rank: Int, nl: String, en: String, nlText: String, enText: String) -> LegalBasis {
        LegalBasis(
            key: key, name: LocalizedText(nl: nl, en: en), description: LocalizedText(nl: nlText, en: enText),
            article: "6(1)(\(letter))", dpvIRI: "https://w3id.org/dpv/legal/eu/gdpr#A6-1-\(letter)", rank: rank)
    }

    private static func source(_ key: String, _ type: SourceType, rank: Int, nl: String, en: String, nlText: String, enText: String, template: String? = nil) -> Source {
        Source(key: key, name: LocalizedText(nl: nl, en: en), description: LocalizedText(nl: nlText, en: enText),
               sourceType: type, confirmationTemplate: template, rank: rank)
    }
}
