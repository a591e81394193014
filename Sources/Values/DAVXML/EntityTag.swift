/// Entity tags as RFC 9110 §8.8.3 writes them, `"x"` (strong) or `W/"x"` (weak), compared
/// as servers mean them: Apache hands out `W/"x"` right after a write and `"x"` a moment later
/// for the same content, so the weak and strong forms of one tag are one version here (the
/// weak comparison of §8.8.3.2). No tag on either side is no evidence of sameness.
public enum EntityTag {
    public static func same(_ a: String?, _ b: String?) -> Bool {
        guard let a, let b else { return false }
        return opaque(a) == opaque(b)
    }

    public static func isWeak(_ tag: String) -> Bool { tag.hasPrefix("W/") }

    /// The tag without its weakness marker: the same for `W/"x"` and `"x"`.
    public static func opaque(_ tag: String) -> Substring { isWeak(tag) ? tag.dropFirst(2) : Substring(tag) }
}
