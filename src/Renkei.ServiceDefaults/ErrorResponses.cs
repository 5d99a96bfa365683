using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Renkei.Core.Json;
using Renkei.Core.Text;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Renkei.ServiceDefaults;

/// <summary>
/// Errors as RFC 9457 problem details (<see cref="ProblemBody"/>): <c>type</c> <c>urn:renkei:problem:&lt;code&gt;</c>,
/// a Japanese <c>title</c> per status (<see cref="TitleOf"/>), <c>status</c>, <c>detail</c> and the stable <c>code</c>.
/// <para>The <c>detail</c> is for people (a clerk's or a resident's page shows it), so it is Japanese only: the message,
/// written "English (日本語)" like every message in the code base, passes through <see cref="JapaneseText.ForPerson"/>,
/// which keeps its Japanese part (and a leading field name) or, for a message without one, gives a Japanese sentence for
/// the code or the status. Programs branch on <c>code</c>, never on <c>detail</c>; the CLI and the logs keep the
/// bilingual message. See docs/routes.md, "Errors".</para>
/// A refusal (<see cref="RefusalException"/>) is logged by code and path only; unexpected exceptions by type
/// only: their messages could carry personal data, so neither the response nor the log repeats them.
/// </summary>
public static partial class ErrorResponses
{
    /// <summary>The problem response of <paramref name="status"/> with a stable <paramref name="code"/> and <paramref name="message"/> as its <c>detail</c>.</summary>
    public static IResult Problem(int status, string code, string message) =>
        Results.Json(Body(status, code, message), JsonDefaults.Options, ProblemBody.MediaType, status);

    /// <summary>The problem body of <paramref name="status"/>, <paramref name="code"/> and the Japanese of <paramref name="message"/> (the <c>detail</c>).</summary>
    public static ProblemBody Body(int status, string code, string message) =>
        new(ProblemBody.TypeOf(code), TitleOf(status), status, JapaneseText.ForPerson(message, code, status), code);

    /// <summary>The problem response of a refusal.</summary>
    public static IResult Problem(RefusalException refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        return Problem(refusal.Status, refusal.Code, refusal.Message);
    }

    /// <summary>The log category of refusals and unexpected exceptions.</summary>
    public const string LogCategory = "Renkei.Errors";

    /// <summary>The short Japanese title of a problem with <paramref name="status"/> (the same for every code of that status).</summary>
    public static string TitleOf(int status) => JapaneseText.StatusTitle(status);

    /// <summary>The code of a 503 answered because the service's disk is full or read-only.</summary>
    public const string StorageUnavailable = "storage-unavailable";

    public static IResult BadRequest(string code, string message) => Problem(StatusCodes.Status400BadRequest, code, message);

    /// <summary>
    /// The exception handler's options for every service: the problem responses of <see cref="HandleUnexpectedAsync"/>, and
    /// none of the middleware's own diagnostics (it would log the exception with its message and stack trace).
    /// </summary>
    public static ExceptionHandlerOptions HandlerOptions() => new()
    {
        ExceptionHandler = HandleUnexpectedAsync,
        SuppressDiagnosticsCallback = _ => true,
        // A refusal may be a 404 (an unknown token, batch, record): without this the middleware would rethrow it.
        AllowStatusCode404Response = true,
    };

    /// <summary>
    /// Answers an exception no handler caught. A <see cref="RefusalException"/> is its problem, logged at Information by
    /// code and path (not its message). Malformed requests (a body too large, unreadable JSON) are 4xx problems that say
    /// what was wrong without repeating the input; anything else is a 500 logged by exception type and path only.
    /// </summary>
    public static async Task HandleUnexpectedAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var failure = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(LogCategory);
        if (failure is RefusalException refusal)
        {
            logger.LogInformation("refused {Status} {Code} on {Path}", refusal.Status, refusal.Code, context.Request.Path.Value);
            await Problem(refusal).ExecuteAsync(context);
            return;
        }
        if (failure is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
        {
            await BodyTooLarge(null).ExecuteAsync(context);
            return;
        }
        if (failure is BadHttpRequestException or System.Text.Json.JsonException)
        {
            // Malformed input: say what was wrong, never with what was sent (an exception's own message may quote it).
            var message = (failure as System.Text.Json.JsonException ?? failure.InnerException as System.Text.Json.JsonException) is { } json
                ? DescribeJsonError(json)
                : "the request could not be read (要求を読み取れません)";
            await Problem(StatusCodes.Status400BadRequest, "bad-request", message).ExecuteAsync(context);
            return;
        }
        if (Renkei.Infrastructure.StorageFailures.IsStorageFailure(failure))
        {
            // The disk is full or read-only: the request's transaction rolled back; a balancer should send work elsewhere.
            logger.LogError("storage unavailable ({ExceptionType}) on {Path}: disk full or read-only", failure!.GetType().Name, context.Request.Path.Value);
            await Problem(StatusCodes.Status503ServiceUnavailable, StorageUnavailable,
                "the service cannot write its records (disk full or read-only); nothing of this request was recorded (記録領域に書き込めないため受け付けられません。この要求は何も記録されていません)")
                .ExecuteAsync(context);
            return;
        }
        logger.LogError("unhandled {ExceptionType} on {Path}", failure?.GetType().Name, context.Request.Path.Value);
        await Problem(StatusCodes.Status500InternalServerError, "internal-error", "internal error (内部エラー)").ExecuteAsync(context);
    }

    /// <summary>413 <c>body-too-large</c>, naming the route's limit when it is known.</summary>
    public static IResult BodyTooLarge(long? limit) => Problem(StatusCodes.Status413PayloadTooLarge, "body-too-large",
        limit is { } bytes
            ? $"the request body is larger than this route accepts ({bytes} bytes) (要求が大きすぎます)"
            : "the request body is larger than this route accepts (要求が大きすぎます)");

    /// <summary>
    /// What was wrong with the body: the JSON path of the field (property names and indexes only) and the reason.
    /// Reasons that could quote the input (the JSON reader's, which repeat the offending characters or literal) become
    /// "not valid JSON" with the line and byte; the converters' reasons never carry the value; System.Text.Json's own
    /// positional suffix is dropped. A property name is named only when it looks like one a contract declares
    /// (<see cref="IsShowableName"/>): whatever else the sender put there stays out of the message.
    /// </summary>
    public static string DescribeJsonError(System.Text.Json.JsonException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var reason = e.Message;
        var cut = reason.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut > 0) reason = reason[..cut];
        if (reason.StartsWith("The input does not contain any JSON tokens", StringComparison.Ordinal))
            return "the request body is empty (要求が空です)";
        string japanese;
        if (IsReaderError(e))
        {
            (reason, japanese) = e.LineNumber is { } line && e.BytePositionInLine is { } position
                ? ($"not valid JSON (line {line + 1}, byte {position + 1})", $"JSONとして読み取れません（{line + 1}行目、{position + 1}バイト目）")
                : ("not valid JSON", "JSONとして読み取れません");
        }
        else if (reason.StartsWith("The JSON value could not be converted to", StringComparison.Ordinal))
            (reason, japanese) = ("the value has the wrong JSON type or form", "値の型または形式が正しくありません");
        else if (reason.StartsWith("JSON deserialization for type", StringComparison.Ordinal) && reason.Contains("missing required properties", StringComparison.Ordinal))
        {
            var names = MissingNames().Matches(reason).Select(m => m.Groups[1].Value).Where(IsShowableName).ToList();
            (reason, japanese) = ("a required field is missing: " + string.Join(", ", names), "必須の項目がありません: " + string.Join("、", names));
        }
        else if (reason.Contains("allow null values", StringComparison.Ordinal) || reason.Contains("allow setting null values", StringComparison.Ordinal))
            (reason, japanese) = ("the field may not be null", "null は指定できません");
        else if (reason.Contains('\'') || reason.Contains('"'))
            (reason, japanese) = ("the value is not accepted", "値を受け付けられません"); // a quote may enclose something the sender wrote
        else
            japanese = "要求の形式が正しくありません";
        if (reason.Length == 0) reason = "malformed JSON";
        var where = e.Path is { Length: > 1 } path && SafePath().IsMatch(path) && PathNames().Matches(path).All(m => IsShowableName(m.Groups[1].Value))
            ? path[2..] + ": "
            : "";
        // A converter's own reason may be bilingual already ("… (検査数字が一致しません)"): its Japanese part says more.
        return JapaneseText.HasJapanese(reason) ? $"{where}{reason.TrimEnd('.')}" : $"{where}{reason.TrimEnd('.')} ({japanese})";
    }

    /// <summary>
    /// True when <paramref name="name"/> may appear in an error message: an ASCII identifier of at most 40 characters with
    /// at most three digits, as contracts and schemas name their fields. Anything else may be a name or a number someone
    /// sent by mistake.
    /// </summary>
    public static bool IsShowableName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length is 0 or > 40 || !char.IsAsciiLetter(name[0])) return false;
        var digits = 0;
        foreach (var c in name)
        {
            if (char.IsAsciiDigit(c)) digits++;
            else if (!char.IsAsciiLetter(c) && c != '_' && c != '-') return false;
        }
        return digits <= 3;
    }

    /// <summary>The reader's syntax errors quote the offending input (a character, a literal such as <c>'tru123…'</c>).</summary>
    private static bool IsReaderError(System.Text.Json.JsonException e) =>
        IsReaderException(e) || e.InnerException is System.Text.Json.JsonException inner && IsReaderException(inner);

    private static bool IsReaderException(Exception e) => e.GetType().Name == "JsonReaderException";

    [GeneratedRegex(@"^\$(\.[A-Za-z][A-Za-z0-9_-]{0,39}|\[\d{1,7}\])+$")]
    private static partial Regex SafePath();

    [GeneratedRegex(@"\.([^.\[]+)")]
    private static partial Regex PathNames();

    [GeneratedRegex(@"'([^']*)'")]
    private static partial Regex MissingNames();
}
