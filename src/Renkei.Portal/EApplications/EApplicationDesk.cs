using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Renkei.Core.Json;
using Renkei.Municipality.Contracts;

namespace Renkei.Portal.EApplications;

/// <summary>
/// A document the portal prepared for the resident to sign: the document, its exact text (the bytes to sign are its UTF-8),
/// the ward's name and the ticket that binds the text to this session (the page carries it back with the signature).
/// </summary>
public sealed record PreparedEApplication(EApplicationDocument Document, string Text, string WardName, string Ticket);

/// <summary>A signed document the portal has checked and may forward: the submission as the ward's inbox takes it and the ward.</summary>
public sealed record SignedEApplication(EApplicationSubmission Submission, EApplicationDocument Document, PortalWard Ward);

/// <summary>The form's problems by field (the page's binding names, e.g. <c>Form.Children[0].Name</c>), each in Japanese.</summary>
public sealed record EApplicationFormErrors(IReadOnlyDictionary<string, string> Fields);

/// <summary>Why the portal cannot go on with a submission: a stable code and a message in Japanese for the page.</summary>
public sealed class EApplicationDeskException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;

    public const string ConfirmationInvalid = "confirmation-invalid";
    public const string ConfirmationExpired = "confirmation-expired";
    public const string DocumentChanged = "document-changed";
    public const string SignatureMissing = "signature-missing";
    public const string BadSignature = "bad-signature";
    public const string BadCertificate = "bad-certificate";
    public const string UnknownWard = "unknown-ward";
    public const string WardUnavailable = "ward-unavailable";
    /// <summary>Prefix of a ward's refusal: <c>ward:</c> + the ward's <see cref="EApplicationRefusalCodes"/> code.</summary>
    public const string WardRefusedPrefix = "ward:";
}

/// <summary>
/// The portal's side of the one-stop e-application (ワンストップサービス): it turns the form into the document the resident
/// signs (<see cref="Prepare"/>), checks what comes back from the page before anything leaves the portal
/// (<see cref="Check"/>: the very text it prepared for this session, hash-bound through a data-protection ticket, and a
/// signature that the certificate's key made over those bytes), and forwards it to the ward's inbox
/// (<see cref="SubmitAsync"/>). It keeps nothing: the ticket travels with the page, and the document and receipt exist only
/// for the request that shows them. The ward verifies the certificate's chain and status itself.
/// </summary>
public sealed class EApplicationDesk
{
    /// <summary>How long a confirmation page may wait for the signature.</summary>
    public static readonly TimeSpan ConfirmationLifetime = TimeSpan.FromMinutes(30);

    public const int MaxNameLength = 40;
    public const int MaxNurseryNameLength = 40;
    public const int MaxDocumentLength = 16 * 1024;

    private const string TicketPurpose = "Renkei.Portal.EApplications.Ticket.v1";

    private static readonly TimeSpan JapanStandardTime = TimeSpan.FromHours(9);

    private readonly IDataProtector _protector;
    private readonly IReadOnlyList<PortalWard> _wards;
    private readonly TimeProvider _clock;

    public EApplicationDesk(IDataProtectionProvider protection, IReadOnlyList<PortalWard> wards, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(protection);
        _protector = protection.CreateProtector(TicketPurpose);
        _wards = wards;
        _clock = clock;
    }

    /// <summary>
    /// The document in <paramref name="text"/>, which the portal wrote itself (<see cref="Prepare"/>): the confirmation page
    /// shows what this returns, so the resident reads in Japanese exactly the bytes they sign.
    /// </summary>
    public static EApplicationDocument Read(string text) =>
        JsonSerializer.Deserialize<EApplicationDocument>(text, JsonDefaults.Options) ?? throw new InvalidOperationException("the prepared document does not parse");

    /// <summary>
    /// Checks the form and prepares the document for <paramref name="sessionBinding"/> (a value only this session knows,
    /// e.g. its cookie). Returns the prepared document, or the form's errors (and no document).
    /// </summary>
    public (PreparedEApplication? Prepared, EApplicationFormErrors? Errors) Prepare(EApplicationForm form, string sessionBinding)
    {
        ArgumentNullException.ThrowIfNull(form);
        ArgumentException.ThrowIfNullOrEmpty(sessionBinding);
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        var now = _clock.GetUtcNow();
        var today = DateOnly.FromDateTime(now.ToOffset(JapanStandardTime).DateTime);

        var ward = _wards.FirstOrDefault(w => w.Code == form.Ward?.Trim());
        if (ward is null) errors["Form.Ward"] = "申請先の区を選んでください。";

        var procedures = EApplicationText.Procedures
            .Where(p => p == EApplicationRoutes.NurseryAdmission ? form.NurseryAdmission : form.ChildAllowance).ToList();
        if (procedures.Count == 0) errors["Form.Procedures"] = "申請する手続を1つ以上選んでください。";

        var children = new List<EApplicationChild>();
        var rows = form.Children ?? [];
        if (rows.Count > EApplicationForm.ChildSlots) errors["Form.Children"] = $"お子さんは{EApplicationForm.ChildSlots}人まで入力できます。";
        for (var i = 0; i < Math.Min(rows.Count, EApplicationForm.ChildSlots); i++)
        {
            var row = rows[i] ?? new EApplicationChildInput();
            var name = Clean(row.Name);
            var birth = row.BirthDate?.Trim();
            if (name.Length == 0 && string.IsNullOrEmpty(birth)) continue;
            var key = $"Form.Children[{i}]";
            var nameError = CheckText(name, "氏名", MaxNameLength, allowDigits: false);
            if (nameError is not null) errors[key + ".Name"] = nameError;
            DateOnly? birthDate = null;
            if (string.IsNullOrEmpty(birth)) errors[key + ".BirthDate"] = "生年月日を入力してください。";
            else if (!DateOnly.TryParseExact(birth, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
                errors[key + ".BirthDate"] = "生年月日は年・月・日で入力してください。";
            else if (parsed > today) errors[key + ".BirthDate"] = "生年月日が未来の日付です。";
            else if (parsed <= today.AddYears(-19)) errors[key + ".BirthDate"] = "この申請の対象は18歳以下のお子さんです。生年月日を確認してください。";
            else birthDate = parsed;
            if (nameError is null && birthDate is { } b) children.Add(new EApplicationChild(name, b));
        }
        if (children.Count == 0 && !errors.Keys.Any(k => k.StartsWith("Form.Children", StringComparison.Ordinal)))
            errors["Form.Children"] = "お子さんの氏名と生年月日を入力してください。";

        NurseryRequest? nursery = null;
        if (form.NurseryAdmission)
        {
            var preferences = new List<string>();
            var given = new[] { form.Preference1, form.Preference2, form.Preference3 };
            for (var i = 0; i < given.Length; i++)
            {
                var nurseryName = Clean(given[i]);
                if (nurseryName.Length == 0)
                {
                    if (i == 0) errors["Form.Preference1"] = "第1希望の保育所等を入力してください。";
                    continue;
                }
                var error = CheckText(nurseryName, "保育所等の名称", MaxNurseryNameLength, allowDigits: true);
                if (error is not null) errors[$"Form.Preference{i + 1}"] = error;
                else if (preferences.Contains(nurseryName, StringComparer.Ordinal)) errors[$"Form.Preference{i + 1}"] = "同じ保育所等が2回以上入力されています。";
                else preferences.Add(nurseryName);
            }
            DateOnly? start = null;
            var month = form.DesiredStart?.Trim();
            var firstOfThisMonth = new DateOnly(today.Year, today.Month, 1);
            if (string.IsNullOrEmpty(month)) errors["Form.DesiredStart"] = "入所希望月を入力してください。";
            else if (!DateOnly.TryParseExact(month + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var first))
                errors["Form.DesiredStart"] = "入所希望月は年・月で入力してください。";
            else if (first < firstOfThisMonth) errors["Form.DesiredStart"] = "入所希望月が過ぎています。今月以降を入力してください。";
            else if (first > firstOfThisMonth.AddMonths(12)) errors["Form.DesiredStart"] = "入所希望月は12か月先までです。";
            else start = first;
            var reason = form.Reason?.Trim();
            if (string.IsNullOrEmpty(reason) || !EApplicationText.Reasons.Contains(reason))
                errors["Form.Reason"] = "保育を必要とする事由を選んでください。";
            if (!errors.Keys.Any(k => k.StartsWith("Form.Preference", StringComparison.Ordinal) || k is "Form.DesiredStart" or "Form.Reason"))
                nursery = new NurseryRequest(preferences, start!.Value, reason!);
        }

        string? contact = null;
        var contactText = Normalize(form.Contact);
        if (contactText.Length > 0)
        {
            var digits = contactText.Replace("-", "", StringComparison.Ordinal);
            if (contactText.Length > 13 || digits.Length is < 10 or > 11 || !digits.All(char.IsAsciiDigit) || digits[0] != '0'
                || contactText.StartsWith('-') || contactText.EndsWith('-') || contactText.Contains("--", StringComparison.Ordinal))
                errors["Form.Contact"] = "電話番号は 0 で始まる10桁または11桁の数字で入力してください（ハイフン可）。";
            else contact = contactText;
        }

        if (errors.Count > 0) return (null, new EApplicationFormErrors(errors));

        var document = new EApplicationDocument(EApplicationRoutes.DocumentFormat, Guid.NewGuid(), ward!.Code,
            DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds()), procedures, children, nursery, contact);
        var text = JsonSerializer.Serialize(document, JsonDefaults.Options);
        var ticket = _protector.Protect(TicketText(sessionBinding, Hash(text), now));
        return (new PreparedEApplication(document, text, ward.Name, ticket), null);
    }

    /// <summary>
    /// Checks what the confirmation page sends back: the ticket is this portal's, for this session and not expired; the
    /// document is byte for byte the one prepared under it; the certificate parses and its key made
    /// <paramref name="signature"/> over the document's UTF-8 bytes (RSA PKCS#1 v1.5, SHA-256).
    /// </summary>
    /// <exception cref="EApplicationDeskException">What is wrong, in Japanese.</exception>
    public SignedEApplication Check(string sessionBinding, string? document, string? ticket, string? signature, string? certificate)
    {
        ArgumentException.ThrowIfNullOrEmpty(sessionBinding);
        if (string.IsNullOrEmpty(document) || string.IsNullOrEmpty(ticket) || document.Length > MaxDocumentLength || ticket.Length > 4096)
            throw new EApplicationDeskException(EApplicationDeskException.ConfirmationInvalid,
                "確認画面の内容を受け取れませんでした。もう一度最初から入力してください。");
        string[] parts;
        try
        {
            parts = _protector.Unprotect(ticket).Split('\n');
        }
        catch (CryptographicException)
        {
            throw new EApplicationDeskException(EApplicationDeskException.ConfirmationInvalid,
                "この確認画面は無効です（ポータルの再起動などで期限が切れた可能性があります）。もう一度最初から入力してください。");
        }
        if (parts.Length != 4 || parts[0] != "v1" || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(parts[1]), Encoding.ASCII.GetBytes(Hash(sessionBinding)))
            || !long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var preparedAt))
            throw new EApplicationDeskException(EApplicationDeskException.ConfirmationInvalid,
                "この確認画面は、現在のログインで作成されたものではありません。もう一度最初から入力してください。");
        if (_clock.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(preparedAt) > ConfirmationLifetime)
            throw new EApplicationDeskException(EApplicationDeskException.ConfirmationExpired,
                "確認画面の有効期限（30分）が過ぎました。もう一度最初から入力してください。");
        if (parts[2] != Hash(document))
            throw new EApplicationDeskException(EApplicationDeskException.DocumentChanged,
                "申請内容が確認画面で作成したものと一致しません。もう一度最初から入力してください。");
        // The portal wrote this text itself (the hash says so): parsing it cannot fail short of a bug.
        var parsed = Read(document);
        var ward = _wards.FirstOrDefault(w => w.Code == parsed.Municipality)
            ?? throw new EApplicationDeskException(EApplicationDeskException.UnknownWard, "申請先の区は現在、電子申請を受け付けていません。");

        if (string.IsNullOrEmpty(signature) || string.IsNullOrEmpty(certificate))
            throw new EApplicationDeskException(EApplicationDeskException.SignatureMissing, "電子署名がありません。署名用電子証明書の暗証番号を入力して署名してください。");
        byte[] signatureBytes, certificateBytes;
        try
        {
            if (signature.Length > 2048 || certificate.Length > 16 * 1024) throw new FormatException();
            signatureBytes = Convert.FromBase64String(signature);
            certificateBytes = Convert.FromBase64String(certificate);
        }
        catch (FormatException)
        {
            throw new EApplicationDeskException(EApplicationDeskException.BadSignature, "電子署名の形式が正しくありません。もう一度署名してください。");
        }
        bool valid;
        try
        {
            using var x509 = X509CertificateLoader.LoadCertificate(certificateBytes);
            using var key = x509.GetRSAPublicKey()
                ?? throw new EApplicationDeskException(EApplicationDeskException.BadCertificate, "署名用電子証明書を読み取れませんでした。");
            valid = key.VerifyData(Encoding.UTF8.GetBytes(document), signatureBytes, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
        catch (CryptographicException)
        {
            throw new EApplicationDeskException(EApplicationDeskException.BadCertificate, "署名用電子証明書を読み取れませんでした。");
        }
        if (!valid)
            throw new EApplicationDeskException(EApplicationDeskException.BadSignature, "電子署名が申請内容と一致しません。もう一度署名してください。");
        return new SignedEApplication(new EApplicationSubmission(parsed.SubmissionId, document, signature, certificate), parsed, ward);
    }

    /// <summary>Sends the checked application to the ward's inbox and returns the ward's receipt.</summary>
    /// <exception cref="EApplicationDeskException">The ward refused (code <c>ward:</c> + its code, message in Japanese) or could not be reached.</exception>
    public static async Task<EApplicationReceipt> SubmitAsync(SignedEApplication application, EApplicationHttpClient ward, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(application);
        ArgumentNullException.ThrowIfNull(ward);
        try
        {
            var receipt = await ward.SubmitAsync(application.Submission, cancellationToken);
            if (receipt.SubmissionId != application.Submission.SubmissionId || receipt.Municipality != application.Ward.Code)
                throw new EApplicationDeskException(EApplicationDeskException.WardUnavailable,
                    "区からの受付結果がこの申請のものではありません。時間をおいて、電子申請の画面からもう一度お試しください。");
            return receipt;
        }
        catch (EApplicationException e) when (e.Status is >= 400 and < 500)
        {
            throw new EApplicationDeskException(EApplicationDeskException.WardRefusedPrefix + e.Code,
                EApplicationText.Refusal(e.Code) ?? $"{application.Ward.Name}で申請を受け付けられませんでした（理由コード: {e.Code}）。");
        }
        catch (Exception e) when (e is EApplicationException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new EApplicationDeskException(EApplicationDeskException.WardUnavailable,
                $"{application.Ward.Name}のシステムに接続できませんでした。申請はまだ届いていません。時間をおいてもう一度お試しください。");
        }
    }

    /// <summary>Trims and folds full-width ASCII (Ｏ→O, －→-, digits) and ideographic spaces.</summary>
    private static string Normalize(string? text) =>
        string.IsNullOrWhiteSpace(text) ? "" : text.Trim().Normalize(NormalizationForm.FormKC).Trim();

    /// <summary>Trims and collapses inner runs of spaces (full-width included) to one space; the characters themselves are kept.</summary>
    private static string Clean(string? text) =>
        string.IsNullOrWhiteSpace(text) ? "" : string.Join(' ', text.Split([' ', '\u3000', '\t'], StringSplitOptions.RemoveEmptyEntries));

    private static string? CheckText(string text, string what, int maxLength, bool allowDigits)
    {
        if (text.Length == 0) return $"{what}を入力してください。";
        if (text.Length > maxLength) return $"{what}は{maxLength}文字以内で入力してください。";
        if (text.Any(char.IsControl))
            return $"{what}に使えない文字が含まれています。";
        if (!allowDigits && text.Any(char.IsDigit)) return $"{what}に数字は使えません。";
        if (text.Count(char.IsDigit) >= 10) return $"{what}に長い数字は入力できません（個人番号などは入力しないでください）。";
        return null;
    }

    private static string TicketText(string sessionBinding, string documentHash, DateTimeOffset preparedAt) =>
        "v1\n" + Hash(sessionBinding) + "\n" + documentHash + "\n" + preparedAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
