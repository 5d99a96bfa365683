using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Renkei.Core.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Renkei.Infrastructure;

/// <summary>
/// Errors as JSON problem objects. Unexpected exceptions are reported by type only: their messages
/// could carry personal data, so neither the response nor the log repeats them.
/// </summary>
public static partial class ErrorResponses
{
    public static IResult Problem(int status, string code, string message) =>
        Results.Json(new ProblemBody(code, message), JsonDefaults.Options, statusCode: status);

    public static IResult BadRequest(string code, string message) => Problem(StatusCodes.Status400BadRequest, code, message);

    public static void HandleUnexpected(IApplicationBuilder app) => app.Run(async context =>
    {
        var failure = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Renkei.Errors");
        if (failure is Microsoft.AspNetCore.Http.BadHttpRequestException or System.Text.Json.JsonException)
        {
            // Malformed input: the JSON converters' messages say what was wrong and never echo values.
            var message = (failure as System.Text.Json.JsonException ?? failure.InnerException as System.Text.Json.JsonException) is { } json
                ? DescribeJsonError(json)
                : failure.Message; // ASP.NET Core names the parameter or header, never a value
            await Problem(StatusCodes.Status400BadRequest, "bad-request", message).ExecuteAsync(context);
            return;
        }
        logger.LogError("unhandled {ExceptionType} on {Path}", failure?.GetType().Name, context.Request.Path.Value);
        await Problem(StatusCodes.Status500InternalServerError, "internal-error", "internal error (内部エラー)").ExecuteAsync(context);
    });

    /// <summary>
    /// What was wrong with the body: the JSON path of the field (property names and indexes only) and the reason.
    /// The converters' reasons never carry the value; System.Text.Json's own positional suffix is dropped.
    /// </summary>
    public static string DescribeJsonError(System.Text.Json.JsonException e)
    {
        var reason = e.Message;
        var cut = reason.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut > 0) reason = reason[..cut];
        if (reason.StartsWith("The input does not contain any JSON tokens", StringComparison.Ordinal))
            return "the request body is empty (要求が空です)";
        if (reason.StartsWith("The JSON value could not be converted to", StringComparison.Ordinal))
            reason = "the value has the wrong JSON type or form";
        if (reason.Length == 0) reason = "malformed JSON";
        var where = e.Path is { Length: > 1 } path && SafePath().IsMatch(path) ? path[2..] + ": " : "";
        return $"{where}{reason.TrimEnd('.')} (要求の形式が正しくありません)";
    }

    [GeneratedRegex(@"^\$(\.[A-Za-z][A-Za-z0-9]{0,40}|\[\d{1,7}\])+$")]
    private static partial Regex SafePath();
}
