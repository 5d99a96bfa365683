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
public static class ErrorResponses
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
            var message = failure.InnerException is System.Text.Json.JsonException inner ? inner.Message : failure.Message;
            await Problem(StatusCodes.Status400BadRequest, "bad-request", Sanitize(message)).ExecuteAsync(context);
            return;
        }
        logger.LogError("unhandled {ExceptionType} on {Path}", failure?.GetType().Name, context.Request.Path.Value);
        await Problem(StatusCodes.Status500InternalServerError, "internal-error", "internal error (内部エラー)").ExecuteAsync(context);
    });

    /// <summary>Removes JSON paths' values that System.Text.Json appends ("Path: $.x | LineNumber…").</summary>
    private static string Sanitize(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}

