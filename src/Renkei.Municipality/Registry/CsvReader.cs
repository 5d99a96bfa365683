using System.Text;

namespace Renkei.Municipality.Registry;

/// <summary>
/// A streaming RFC 4180 reader: comma-separated fields, double-quoted fields that may hold commas,
/// line breaks and doubled quotes, records ending in CRLF or LF. Each record carries the line
/// number it starts on, so problems can be reported by line.
/// </summary>
internal sealed class CsvReader(TextReader reader)
{
    private readonly char[] _buffer = new char[64 * 1024];
    private int _position;
    private int _length;
    private int _line = 1;
    private readonly StringBuilder _field = new();

    /// <summary>A structural problem in the last record (e.g. an unclosed quote), or null.</summary>
    public string? Error { get; private set; }

    /// <summary>Reads the next record into <paramref name="fields"/>; false at the end of input.</summary>
    public bool TryRead(List<string> fields, out long startLine)
    {
        fields.Clear();
        Error = null;
        startLine = _line;
        if (!Fill()) return false;

        _field.Clear();
        var quoted = false;
        var afterQuote = false;
        var atFieldStart = true;
        while (true)
        {
            if (!Fill())
            {
                if (quoted) Error = "a quoted field is not closed (引用符が閉じていません)";
                fields.Add(_field.ToString());
                return true;
            }
            var c = _buffer[_position++];
            if (quoted)
            {
                if (c == '"')
                {
                    if (Fill() && _buffer[_position] == '"') { _field.Append('"'); _position++; }
                    else { quoted = false; afterQuote = true; }
                }
                else
                {
                    if (c == '\n') _line++;
                    _field.Append(c);
                }
                continue;
            }
            switch (c)
            {
                case ',':
                    fields.Add(_field.ToString());
                    _field.Clear();
                    atFieldStart = true;
                    afterQuote = false;
                    continue;
                case '\r':
                    if (Fill() && _buffer[_position] == '\n') _position++;
                    _line++;
                    fields.Add(_field.ToString());
                    return true;
                case '\n':
                    _line++;
                    fields.Add(_field.ToString());
                    return true;
                case '"' when atFieldStart:
                    quoted = true;
                    atFieldStart = false;
                    continue;
                default:
                    if (afterQuote || c == '"')
                        Error ??= "a quote appears inside an unquoted field or after a closing quote (引用符の位置が不正です)";
                    _field.Append(c);
                    atFieldStart = false;
                    continue;
            }
        }
    }

    private bool Fill()
    {
        if (_position < _length) return true;
        _length = reader.Read(_buffer, 0, _buffer.Length);
        _position = 0;
        return _length > 0;
    }
}
