using System.Text;
using System.Text.Json;
using CsCheck;
using Renkei.Core.Cards;
using Renkei.Core.Json;
using Renkei.Core.Numbers;

namespace Renkei.Core.Tests;

/// <summary>
/// Property tests of the parsers that take outside input (individual number, corporate number, resident-record code,
/// local government code, token, card number): whatever the text — full-width digits, spaces and hyphens of every width,
/// arbitrary Unicode, lone surrogates — they answer with a result or their documented exception, and no message repeats
/// the input. Failing cases are reported by length, never by their text.
/// </summary>
public sealed class NumberParserPropertyTests
{
    private const int Iterations = 2_000;

    /// <summary>One parser: its result (null error when valid), its throwing form and its JSON converter.</summary>
    private sealed record Parser(string Name, int Length, Func<string?, string?> ErrorOf, Action<string?> ParseOrThrow, Type JsonType, Type ThrowsType);

    private static readonly Parser[] Parsers =
    [
        new("individual number", IndividualNumber.Length, t => IndividualNumber.Parse(t).Error?.Message, t => IndividualNumber.ParseOrThrow(t),
            typeof(IndividualNumber), typeof(InvalidNumberException)),
        new("corporate number", CorporateNumber.Length, t => CorporateNumber.Parse(t).Error?.Message, t => CorporateNumberParseOrThrow(t),
            typeof(CorporateNumber), typeof(InvalidNumberException)),
        new("resident-record code", ResidentCode.Length, t => ResidentCode.Parse(t).Error?.Message, t => ResidentCode.ParseOrThrow(t),
            typeof(ResidentCode), typeof(InvalidNumberException)),
        new("local government code", LocalGovernmentCode.Length, t => LocalGovernmentCode.Parse(t).Error?.Message, t => LocalGovernmentCode.ParseOrThrow(t),
            typeof(LocalGovernmentCode), typeof(InvalidNumberException)),
        new("token", Token.Length, t => Token.Parse(t).Error?.Message, t => Token.ParseOrThrow(t), typeof(Token), typeof(InvalidNumberException)),
        new("card number", CardNumber.Length, t => CardNumber.TryParse(t, out _, out var error) ? null : error, t => CardNumber.Parse(t),
            typeof(CardNumber), typeof(FormatException)),
    ];

    private static void CorporateNumberParseOrThrow(string? text)
    {
        var result = CorporateNumber.Parse(text);
        if (!result.IsValid) throw new InvalidNumberException(nameof(CorporateNumber), result.Error!);
    }

    /// <summary>Characters people type into number fields, and anything else.</summary>
    private static readonly Gen<char> Characters = Gen.Frequency(
        (8, Gen.Char['0', '9']),
        (3, Gen.Char['０', '９']),
        (2, Gen.OneOf(' ', '\t', '\u3000', '-', '\uFF0D', '\u2010', '\u2011', '\u2013', '\u2212', '\u30FC', '\uFF70')),
        (1, Gen.Char['A', 'Z']),
        (1, Gen.OneOf('/', '.', '+', '#', '\u0000', '\u200B', '\uFEFF', '٣', '۵', '१', '\u00B2', 'Ⅻ')),
        (1, Gen.Char[(char)0xD800, (char)0xDFFF]), // lone surrogates
        (1, Gen.Char));

    private static readonly Gen<string> Texts = Gen.Frequency(
        (6, Characters.Array[0, 40].Select(chars => new string(chars))),
        (1, Gen.String),
        (1, Gen.Int[1, 3].Select(Gen.Char['0', '9'].Array[12], (n, digits) => string.Concat(Enumerable.Repeat(new string(digits), n)))));

    private static string Describe(string? text) => text is null ? "null" : $"a text of {text.Length} characters";

    /// <summary>The runs of four or more digits (ASCII or full-width, folded to ASCII) the text holds, and the text itself.</summary>
    private static IEnumerable<string> Fragments(string text)
    {
        var run = new StringBuilder();
        foreach (var c in text.Append('x'))
        {
            if (c is >= '0' and <= '9') run.Append(c);
            else if (c is >= '０' and <= '９') run.Append((char)('0' + (c - '０')));
            else if (run.Length > 0)
            {
                if (run.Length >= 4) yield return run.ToString();
                run.Clear();
            }
        }
        if (text.Trim().Length >= 6) yield return text.Trim();
    }

    private static void AssertNoEcho(string text, string message, string what)
    {
        foreach (var fragment in Fragments(text))
            if (message.Contains(fragment, StringComparison.Ordinal)) throw new Xunit.Sdk.XunitException($"{what}: the message repeats the input");
    }

    [Fact]
    public void Parsers_answer_any_text_with_a_result_or_their_documented_exception_and_never_repeat_it()
    {
        foreach (var parser in Parsers)
        {
            Texts.Sample(text =>
            {
                var error = parser.ErrorOf(text); // never throws
                if (error is null)
                {
                    parser.ParseOrThrow(text);
                    return;
                }
                Assert.False(string.IsNullOrWhiteSpace(error));
                AssertNoEcho(text, error, parser.Name);

                var thrown = Record.Exception(() => parser.ParseOrThrow(text));
                Assert.NotNull(thrown);
                Assert.IsType(parser.ThrowsType, thrown);
                AssertNoEcho(text, thrown.Message, parser.Name);
            }, iter: Iterations, print: Describe);
        }
    }

    [Fact]
    public void Json_converters_refuse_any_invalid_text_or_number_with_a_JsonException_that_does_not_repeat_it()
    {
        foreach (var parser in Parsers)
        {
            Texts.Sample(text =>
            {
                var valid = parser.ErrorOf(text) is null;
                foreach (var json in new[] { JsonSerializer.Serialize(text, JsonDefaults.Options), Digits(text) is { Length: > 0 } d ? d : "0", "true", "{}", "[1]" })
                {
                    var thrown = Record.Exception(() => JsonSerializer.Deserialize(json, parser.JsonType, JsonDefaults.Options));
                    if (thrown is null)
                    {
                        Assert.True(valid && json[0] == '"', $"{parser.Name}: accepted a JSON value that is not a valid string");
                        continue;
                    }
                    Assert.IsType<JsonException>(thrown, exactMatch: false);
                    AssertNoEcho(text, thrown.Message, parser.Name);
                }
            }, iter: Iterations / 4, print: Describe);
        }
    }

    private static string Digits(string text) => new(text.Where(char.IsAsciiDigit).Take(18).SkipWhile(c => c == '0').ToArray());

    [Fact]
    public void Valid_values_parse_back_whatever_widths_and_separators_they_are_typed_with()
    {
        var values = Gen.Select(Gen.Int[0, 4], Gen.Long[0, ResidentCode.BodyCount - 1], Gen.Long[0, Token.ValueCount - 1],
            (kind, residentBody, token) => kind switch
            {
                0 => ("individual", IndividualNumber.FromBody(residentBody * 10 % IndividualNumber.BodyCount).Digits),
                1 => ("resident", ResidentCode.FromBody(residentBody).Digits),
                2 => ("token", Token.FromInt64(token).Digits),
                3 => ("local", WithCheckDigit((residentBody % 100_000).ToString("D5", System.Globalization.CultureInfo.InvariantCulture))),
                _ => ("corporate", CorporateDigits((token % 1_000_000_000_000L).ToString("D12", System.Globalization.CultureInfo.InvariantCulture))),
            });
        var typing = Gen.Select(Gen.Bool.Array[20], Gen.Int[0, 3].Array[20], (wide, separator) => (Wide: wide, Separator: separator));
        Gen.Select(values, typing).Sample(sample =>
        {
            var ((parser, digits), (wide, separators)) = sample;
            var typed = new StringBuilder(" ");
            for (var i = 0; i < digits.Length; i++)
            {
                typed.Append(wide[i] ? (char)('０' + (digits[i] - '0')) : digits[i]);
                typed.Append(separators[i] switch { 0 => "", 1 => "-", 2 => "\u3000", _ => " ー " });
            }
            var text = typed.ToString();
            var parsed = parser switch
            {
                "individual" => IndividualNumber.ParseOrThrow(text).Digits,
                "resident" => ResidentCode.ParseOrThrow(text).Digits,
                "token" => Token.ParseOrThrow(text).Digits,
                "local" => LocalGovernmentCode.ParseOrThrow(text).Digits,
                _ => CorporateNumber.Parse(text).Value.Digits,
            };
            Assert.True(parsed == digits, $"{parser}: a valid value typed with other widths or separators did not parse back");
        }, iter: Iterations, print: _ => "a valid value (withheld)");
    }

    private static string WithCheckDigit(string five) => five + LocalGovernmentCode.ComputeCheckDigit(five);

    private static string CorporateDigits(string twelve) => CorporateNumber.ComputeCheckDigit(twelve) + twelve;
}
