/// Turns requested sheet names into valid, unique ones.
///
/// A valid name has 1 to 31 UTF-16 code units, none of `[ ] : * ? / \` or control characters (each
/// becomes `_`), does not start or end with an apostrophe, is not `History` (Excel reserves it), and
/// differs from every other sheet's name regardless of case. A clash gets a suffix ` (2)`, ` (3)`, …,
/// shortening the name to fit. An empty name becomes `Sheet`.
struct SheetNameRegistry {
    private var taken: Set<String> = ["history"]

    /// A valid, unused name as close to `requested` as possible, now reserved.
    mutating func claim(_ requested: String) -> String {
        let base = SheetNameRegistry.sanitize(requested)
        return claim(base: base, firstSuffix: isTaken(base) ? 2 : nil)
    }

    /// The name of a continuation sheet of `base`: `base (2)`, `base (3)`, … whichever is free first.
    mutating func claimContinuation(of base: String) -> String {
        claim(base: base, firstSuffix: 2)
    }

    private func isTaken(_ name: String) -> Bool { taken.contains(name.lowercased()) }

    private mutating func claim(base: String, firstSuffix: Int?) -> String {
        var name = base
        if var number = firstSuffix {
            repeat {
                let suffix = " (\(number))"
                let stem = SheetNameRegistry.trimApostrophes(
                    base.prefix(utf16Count: XLSXLimits.maximumSheetNameLength - suffix.utf16.count))
                name = (stem.isEmpty ? "Sheet" : stem) + suffix
                number += 1
            } while isTaken(name)
        }
        taken.insert(name.lowercased())
        return name
    }

    static func sanitize(_ requested: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in requested.unicodeScalars {
            switch scalar {
            case "[", "]", ":", "*", "?", "/", "\\", "\u{0}"..."\u{1F}", "\u{7F}", "\u{FFFE}", "\u{FFFF}":
                scalars.append("_")
            default:
                scalars.append(scalar)
            }
        }
        let name = trimApostrophes(trimApostrophes(String(scalars)).prefix(utf16Count: XLSXLimits.maximumSheetNameLength))
        return name.isEmpty ? "Sheet" : name
    }

    private static func trimApostrophes(_ text: String) -> String {
        var scalars = Substring(text).unicodeScalars
        while scalars.first == "'" { scalars.removeFirst() }
        while scalars.last == "'" { scalars.removeLast() }
        return String(Substring(scalars))
    }
}

extension String {
    /// The longest prefix of at most `count` UTF-16 code units that does not split a Unicode scalar.
    func prefix(utf16Count count: Int) -> String {
        guard utf16.count > count else { return self }
        var used = 0
        var end = unicodeScalars.startIndex
        for scalar in unicodeScalars {
            let width = scalar.utf16.count
            guard used + width <= count else { break }
            used += width
            end = unicodeScalars.index(after: end)
        }
        return String(Substring(unicodeScalars[..<end]))
    }
}
