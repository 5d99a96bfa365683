using System.Net;
using System.Text.RegularExpressions;
using Renkei.Municipality.Staff;

namespace Renkei.StaffConsole.Tests;

/// <summary>One response as the client saw it.</summary>
public sealed record ConsoleResponse(HttpStatusCode Status, string Body, Uri? Location, IReadOnlyList<string> SetCookies, Uri RequestUri,
    IReadOnlyDictionary<string, string> Headers)
{
    /// <summary>The body with HTML character references decoded (the console writes U+3000 in names as &amp;#x3000;).</summary>
    public string Text { get; } = WebUtility.HtmlDecode(Body);

    /// <summary>The body as received (a PDF the console returned).</summary>
    public byte[] Bytes { get; init; } = [];
}

/// <summary>
/// A plain HttpClient against the real console, keeping cookies like a browser, posting forms with the antiforgery token
/// read from the last page, and keeping every body it received so a test can scan all of them.
/// </summary>
public sealed partial class ConsoleClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly List<ConsoleResponse> _responses = [];
    private string? _lastToken;

    public ConsoleClient(Uri baseAddress)
    {
        Cookies = new CookieContainer();
        _http = new HttpClient(new HttpClientHandler { CookieContainer = Cookies, AllowAutoRedirect = false, UseCookies = true })
        {
            BaseAddress = baseAddress,
        };
    }

    public CookieContainer Cookies { get; }

    /// <summary>Every response received, in order (redirects included).</summary>
    public IReadOnlyList<ConsoleResponse> Responses => _responses;

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    public Task<ConsoleResponse> GetAsync(string path, bool follow = true) => SendAsync(new HttpRequestMessage(HttpMethod.Get, path), follow);

    /// <summary>Posts a form with the antiforgery token of the last page that had one (fetching <paramref name="tokenPage"/> first if none).</summary>
    public async Task<ConsoleResponse> PostAsync(string path, IEnumerable<KeyValuePair<string, string>> fields, bool follow = true, bool withToken = true,
        string tokenPage = "/login")
    {
        if (withToken && _lastToken is null) await GetAsync(tokenPage);
        var form = fields.ToList();
        if (withToken) form.Add(new("__RequestVerificationToken", _lastToken!));
        return await SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form) }, follow);
    }

    /// <summary>Posts a multipart form (a file upload) with the antiforgery token of the last page that had one.</summary>
    public async Task<ConsoleResponse> PostFileAsync(string path, (string Name, string FileName, string ContentType, byte[] Bytes) file,
        params (string Name, string Value)[] fields)
    {
        if (_lastToken is null) await GetAsync("/login");
        var form = new MultipartFormDataContent();
        foreach (var (name, value) in fields.Append(("__RequestVerificationToken", _lastToken!))) form.Add(new StringContent(value), name);
        var content = new ByteArrayContent(file.Bytes);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(file.ContentType);
        form.Add(content, file.Name, file.FileName);
        return await SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = form }, follow: true);
    }

    public Task<ConsoleResponse> PostAsync(string path, params (string Name, string Value)[] fields) =>
        PostAsync(path, fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)));

    public Task<ConsoleResponse> LoginAsync(string staffId, string password, string code) =>
        PostAsync("/login", ("StaffId", staffId), ("Password", password), ("Totp", code));

    /// <summary>
    /// Logs in with both factors right and checks that the console let the staff member in: to the choice of affair, or for an
    /// administrator (who works no cases) to the accounts.
    /// </summary>
    public async Task<ConsoleResponse> LoginAsync(ConsoleWard ward, DemoStaffAccount account)
    {
        var response = await LoginAsync(account.Id.Value, account.Password, ward.NextCode(account));
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.EndsWith(account.Role == Municipality.Staff.StaffRole.Administrator ? "/accounts" : "/affair", response.RequestUri.AbsolutePath);
        return response;
    }

    public Task<ConsoleResponse> ChooseAffairAsync(string affair) => PostAsync("/affair", ("Affair", affair));

    public Task<ConsoleResponse> SearchAsync(string? name = null, string? kana = null, string? birth = null) =>
        PostAsync("/residents", ("Name", name ?? ""), ("Kana", kana ?? ""), ("Birth", birth ?? ""));

    public Task<ConsoleResponse> RevealAsync(long residentId) => PostAsync($"/residents/{residentId}?handler=Reveal");

    private async Task<ConsoleResponse> SendAsync(HttpRequestMessage request, bool follow)
    {
        using (request)
        using (var response = await _http.SendAsync(request))
        {
            var bytes = await response.Content.ReadAsByteArrayAsync();
            var body = System.Text.Encoding.UTF8.GetString(bytes);
            var cookies = response.Headers.TryGetValues("Set-Cookie", out var values) ? values.ToList() : [];
            var location = response.Headers.Location is { } l ? new Uri(_http.BaseAddress!, l) : null;
            var headers = response.Headers.Concat(response.Content.Headers)
                .ToDictionary(h => h.Key, h => string.Join(", ", h.Value), StringComparer.OrdinalIgnoreCase);
            var result = new ConsoleResponse(response.StatusCode, body, location, cookies, request.RequestUri!.IsAbsoluteUri
                ? request.RequestUri : new Uri(_http.BaseAddress!, request.RequestUri), headers) { Bytes = bytes };
            _responses.Add(result);
            var token = TokenPattern().Match(body);
            if (token.Success) _lastToken = WebUtility.HtmlDecode(token.Groups[1].Value);
            if (follow && (int)response.StatusCode is >= 300 and < 400 && location is not null)
                return await SendAsync(new HttpRequestMessage(HttpMethod.Get, location), follow);
            return result;
        }
    }

    public void Dispose() => _http.Dispose();
}
