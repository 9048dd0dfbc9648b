import Foundation

/// Errors in words for the people who read them: an officer in `request show`, a log, a message on standard error.
public enum ErrorText {
    /// `error` as one sentence: Inzage's own errors by their description; Foundation's file errors as their
    /// localized text with the file they concern (their `description` is a dump of `NSError`'s fields).
    public static func describe(_ error: any Error) -> String {
        if let cocoa = error as? CocoaError {
            let path = cocoa.filePath ?? cocoa.url?.path
            return (path.map { "\($0): " } ?? "") + reason(cocoa.localizedDescription)
        }
        if let posix = error as? POSIXError {
            return reason(String(cString: strerror(posix.code.rawValue)))
        }
        if type(of: error) is NSError.Type {
            return reason((error as NSError).localizedDescription)
        }
        return String(describing: error)
    }

    /// Foundation's `localizedDescription` of `error`, to go inside a sentence: without its closing full stop, so
    /// that "…: You don't have permission. Check …" does not read "permission.. Check".
    public static func reason(of error: any Error) -> String {
        // Not `describe`: the sentence this goes into names the file already.
        if let posix = error as? POSIXError { return reason(String(cString: strerror(posix.code.rawValue))) }
        return reason(error.localizedDescription)
    }

    /// `text` without trailing blanks and full stops.
    static func reason(_ text: String) -> String {
        var text = Substring(text.trimmingCharacters(in: .whitespacesAndNewlines))
        while text.hasSuffix(".") { text = text.dropLast() }
        return String(text)
    }
}
