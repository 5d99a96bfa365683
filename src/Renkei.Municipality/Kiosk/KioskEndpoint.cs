using Microsoft.AspNetCore.Http;
using Renkei.Core.Json;
using Renkei.Documents;
using Renkei.Municipality.Contracts;
using Renkei.ServiceDefaults;

namespace Renkei.Municipality.Kiosk;

/// <summary>
/// The kiosk routes of the ward's issuance server (<see cref="KioskIssuanceRoutes"/>), called only by the pinned issuance
/// centre: each body read with the shared strict rules (at most 4 KiB), then <see cref="KioskIssuanceServer"/>. Refusals are
/// problem bodies with the <see cref="KioskRefusalCodes"/> code (409) or <c>bad-field</c> (400).
/// </summary>
internal static class KioskEndpoint
{
    private const int MaxBody = 4 * 1024;

    public static async Task<IResult> MenuAsync(HttpContext http, KioskIssuanceServer server)
    {
        var (request, _, problem) = await RequestBodies.ReadJsonAsync<KioskMenuRequest>(http, RequestBodies.Strict, MaxBody);
        if (problem is not null) return problem;
        return await AnswerAsync(async () => Results.Json(await server.MenuAsync(request!, http.RequestAborted), JsonDefaults.Options));
    }

    public static async Task<IResult> IssueAsync(HttpContext http, KioskIssuanceServer server)
    {
        var (request, _, problem) = await RequestBodies.ReadJsonAsync<KioskIssueRequest>(http, RequestBodies.Strict, MaxBody);
        if (problem is not null) return problem;
        return await AnswerAsync(async () => Results.Json(await server.IssueAsync(request!, http.RequestAborted), JsonDefaults.Options));
    }

    public static async Task<IResult> VoidAsync(HttpContext http, KioskIssuanceServer server)
    {
        var (request, _, problem) = await RequestBodies.ReadJsonAsync<KioskVoidRequest>(http, RequestBodies.Strict, MaxBody);
        if (problem is not null) return problem;
        return await AnswerAsync(async () =>
        {
            await server.VoidAsync(request!, http.RequestAborted);
            return Results.NoContent();
        });
    }

    private static async Task<IResult> AnswerAsync(Func<Task<IResult>> answer)
    {
        try
        {
            return await answer();
        }
        catch (KioskRefusedException refused)
        {
            return ErrorResponses.Problem(refused.Status, refused.Code, refused.Message);
        }
        catch (DocumentFontMissingException)
        {
            return ErrorResponses.Problem(StatusCodes.Status503ServiceUnavailable, DocumentFontMissingException.Code,
                "the Japanese font is not installed; ask the administrator (日本語フォントが導入されていないため、証明書を作成できません)");
        }
    }
}
