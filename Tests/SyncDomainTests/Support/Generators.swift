import PropertyBased
import SyncDomain

/// Generators for property tests.
enum Generators {
    /// Characters that stress normalisation: whitespace of several kinds, combining marks,
    /// case-mapping oddities, digits of other scripts, emoji (multi-scalar, multi-UTF-16).
    static let specials: [Character] = [
        "a", "Z", "0", "7", " ", "\t", "\n", "\r\n", "+", "-", "@", ".", "(", ")", "/", ",", ";", "é", "e\u{301}", "İ", "ß", "ẞ", "Ø", "å",
        "Σ", "ς", "ǅ", "ﬁ", "１", "٣", "\u{00A0}", "\u{2003}", "\u{200B}", "\u{0307}", " \u{0301}", "👍🏽", "🇩🇰", "ᾳ", "ŉ", "K", "Ω",
    ]

    /// A character: mostly specials, sometimes any scalar from U+0800…U+2FFF (Indic scripts, Greek
    /// extended, Hangul jamo, general punctuation and spaces, …).
    static let character = Gen.int(in: 0...0x2FFF).map { n -> Character in
        if n < 0x1000 { return specials[n % specials.count] }
        return Character(Unicode.Scalar(UInt32(n - 0x1000 + 0x0800))!)
    }

    /// A messy string of up to 30 characters.
    static let messyString = character.string(of: 0...30)

    /// A messy string of up to 600 characters (beyond every e-conomic limit).
    static let longMessyString = character.string(of: 0...600)
}
