using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Renkei.Core.Numbers;
using Renkei.Country;
using Renkei.TestSupport;

namespace Renkei.Cli.Tests.Certificates;

/// <summary>
/// <c>renkei certificate issue</c> signs with the ward's key certified by J-LIS's certificate-signing CA, and
/// <c>renkei certificate verify</c> checks the PDF as anyone would: from exported files or from J-LIS over HTTP; an edited character
/// and a revoked ward key (<c>renkei pki signer revoke</c>) are refused with exit 1.
/// </summary>
public sealed class CertificateVerifyCommandTests : IDisposable
{
    private const string Passphrase = "cli-test-jpki-passphrase";
    private const string Header = "household_number,resident_code,family_name,given_name,family_name_kana,given_name_kana,birth_date,sex,relationship,address,resident_since,foreign_resident,nationality,individual_number";
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    private async Task<CliProcess.Outcome> Run(params string[] arguments)
    {
        var info = CliProcess.StartInfo(_data.Path, arguments);
        info.Environment["RENKEI_JPKI_PASSPHRASE"] = Passphrase;
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return new CliProcess.Outcome(process.ExitCode, await output, await error);
    }

    private static JsonElement Json(CliProcess.Outcome outcome) => JsonDocument.Parse(outcome.StandardOutput).RootElement.Clone();

    [Fact]
    public async Task An_issued_certificate_verifies_and_an_edited_one_or_one_signed_with_a_revoked_key_does_not()
    {
        var csv = _data.File("register.csv");
        File.WriteAllText(csv, Header + "\n"
            + $"1,{ResidentCode.FromBody(3000000001).Digits},品川,太郎,シナガワ,タロウ,1980-04-01,1,世帯主,東京都品川区大井一丁目1番1号,2000-01-01,0,,\n", new UTF8Encoding(false));
        Assert.Equal(0, (await Run("registry", "import", csv, "--municipality", "131091")).ExitCode);
        var pdf = _data.File("juminhyo.pdf");
        var issued = await Run("certificate", "issue", "--municipality", "131091", "--kind", "juminhyo", "--resident", "1", "--out", pdf);
        Assert.True(issued.ExitCode == 0, issued.StandardError);
        var trust = _data.File("trust");
        Assert.Equal(0, (await Run("pki", "signer", "export", trust)).ExitCode);
        string[] verify = ["certificate", "verify", "--root", Path.Combine(trust, "certificate-signing-root.pem"), "--crl", Path.Combine(trust, "certificate-signing-crl.pem"), "--json"];

        var genuine = await Run([.. verify[..2], pdf, .. verify[2..]]);
        Assert.True(genuine.ExitCode == 0, genuine.StandardOutput + genuine.StandardError);
        var body = Json(genuine);
        Assert.Equal((true, "genuine", "131091"), (body.GetProperty("genuine").GetBoolean(), body.GetProperty("reason").GetString(), body.GetProperty("issuer").GetString()));
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", body.GetProperty("issuedAt").GetString()!);
        var human = await Run("certificate", "verify", pdf, "--root", Path.Combine(trust, "certificate-signing-root.pem"), "--crl", Path.Combine(trust, "certificate-signing-crl.pem"));
        Assert.Contains("真正", human.StandardOutput);
        Assert.Contains("住民票の写し", human.StandardOutput);

        var edited = _data.File("edited.pdf");
        await File.WriteAllBytesAsync(edited, PdfTamper.ChangeOneCharacter(await File.ReadAllBytesAsync(pdf)));
        var refused = await Run([.. verify[..2], edited, .. verify[2..]]);
        Assert.Equal(1, refused.ExitCode);
        Assert.Equal((false, "text-mismatch"), (Json(refused).GetProperty("genuine").GetBoolean(), Json(refused).GetProperty("reason").GetString()));

        // The ward's key is revoked at J-LIS: the CRL lists it, and the same untouched PDF is refused.
        var list = await Run("pki", "signer", "list", "--municipality", "131091", "--json");
        var serial = Json(list).EnumerateArray().Single().GetProperty("serialNumber").GetString()!;
        Assert.Equal(0, (await Run("pki", "signer", "revoke", "--serial", serial)).ExitCode);
        Assert.Equal(0, (await Run("pki", "signer", "export", trust)).ExitCode);
        var revoked = await Run([.. verify[..2], pdf, .. verify[2..]]);
        Assert.Equal((1, "signer-revoked"), (revoked.ExitCode, Json(revoked).GetProperty("reason").GetString()));
        Assert.Equal(1, (await Run("pki", "signer", "revoke", "--serial", "0BADC0DE")).ExitCode);

        // The same from J-LIS over HTTP (its public root and CRL routes), as --jlis does by default for the demo's J-LIS.
        await using (var jlis = await new CountryBuilder(new DataLayout(new DirectoryInfo(_data.Path))).AddJlis(j => j.JpkiPassphrase = Passphrase).StartAsync())
        {
            var overHttp = await Run("certificate", "verify", pdf, "--jlis", jlis.Jlis!.BaseAddress.AbsoluteUri, "--json");
            Assert.Equal((1, "signer-revoked", "131091"), (overHttp.ExitCode, Json(overHttp).GetProperty("reason").GetString(), Json(overHttp).GetProperty("issuer").GetString()));
        }

        // Bad use: no such file, --root without --crl, J-LIS not there.
        Assert.Equal(2, (await Run("certificate", "verify", _data.File("missing.pdf"), "--json")).ExitCode);
        Assert.Equal(2, (await Run("certificate", "verify", pdf, "--root", Path.Combine(trust, "certificate-signing-root.pem"))).ExitCode);
        var noJlis = await Run("certificate", "verify", pdf, "--jlis", "http://127.0.0.1:9/");
        Assert.Equal(2, noJlis.ExitCode);
        Assert.Contains("--jlis", noJlis.StandardError);
    }
}
