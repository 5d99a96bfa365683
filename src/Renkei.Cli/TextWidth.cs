namespace Renkei.Cli;

/// <summary>Pads text for terminal columns, counting full-width (East Asian wide) characters as two cells.</summary>
public static class TextWidth
{
    public static int Of(string text)
    {
        var width = 0;
        foreach (var c in text) width += IsWide(c) ? 2 : 1;
        return width;
    }

    public static string PadRight(string text, int cells) => text + new string(' ', Math.Max(0, cells - Of(text)));

    private static bool IsWide(char c) =>
        c is >= '\u1100' and <= '\u115F'      // Hangul Jamo
        or >= '\u2E80' and <= '\uA4CF'        // CJK radicals … Yi, including kana and ideographs
        or >= '\uAC00' and <= '\uD7A3'        // Hangul syllables
        or >= '\uF900' and <= '\uFAFF'        // CJK compatibility ideographs
        or >= '\uFE30' and <= '\uFE4F'        // CJK compatibility forms
        or >= '\uFF00' and <= '\uFF60'        // full-width forms
        or >= '\uFFE0' and <= '\uFFE6';
}
