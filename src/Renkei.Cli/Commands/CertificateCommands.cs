using System.CommandLine;
using System.Globalization;
using Renkei.Cli.Demo;
using Renkei.Core.Numbers;
using Renkei.Documents;
using Renkei.Documents.Paper;
using Renkei.Infrastructure;
using Renkei.Municipality.Affairs;
using Renkei.Municipality.Applications;
using Renkei.Municipality.Addressee;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Business;
using Renkei.Municipality.Certificates;
using Renkei.Municipality.Contracts;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Seals;

namespace Renkei.Cli.Commands;

/// <summary>
/// <c>renkei certificate issue</c>: a certificate (証明書) as a PDF from a ward's database, as the counter issues it — recorded
/// in the ward's issuance ledger (交付記録, never the content) and operation log (before the file is written; refusals too),
/// under the batch identity of <see cref="RegistryCommands.BatchStaffId"/>. Kinds: <c>juminhyo</c> 住民票の写し, <c>kazei</c>
/// 課税（非課税）証明書, <c>inkan</c> 印鑑登録証明書 (the 印鑑登録証 number presented, <c>--seal-card</c>) and <c>johyo</c> 住民票の除票の写し
/// (除票, read じょひょう: the record of a person who moved out or died). Every page carries the ward's signed 2D code (docs/paper.md);
/// <c>renkei certificate verify</c> checks it (<see cref="CertificateVerifyCommand"/>).
/// </summary>
public static class CertificateCommands
{
    public static void AddTo(RootCommand root)
    {
        var certificate = new Command("certificate", "certificates issued by a ward (住民票の写し …) as PDF");
        certificate.Subcommands.Add(IssueCommand());
        certificate.Subcommands.Add(CertificateVerifyCommand.Create());
        root.Subcommands.Add(certificate);
    }

    private static Command IssueCommand()
    {
        var municipality = RegistryCommands.MunicipalityOption();
        var resident = new Option<long>("--resident") { Description = "the resident's id in the register", Required = true };
        var kind = new Option<string>("--kind")
        {
            Description = "juminhyo (住民票の写し), kazei (課税（非課税）証明書) or nozei (納税証明書), both in --affair local-tax, inkan (印鑑登録証明書, "
                + "with --seal-card; affair seal-registration) or johyo (住民票の除票の写し, for a person who moved out or died)",
            Required = true,
        };
        var sealCard = new Option<string?>("--seal-card") { Description = "the 印鑑登録証 number presented (8 digits; --kind inkan)" };
        var fiscalYear = new Option<int?>("--fiscal-year") { Description = "kazei, nozei: the fiscal year (年度, e.g. 2025; default: the latest one assessed)" };
        var household = new Option<bool>("--household") { Description = "the whole household (世帯全員)" };
        var members = new Option<string?>("--members") { Description = "some members of the household (一部): register ids separated by commas" };
        var withRelationship = new Option<bool>("--with-relationship") { Description = "print 世帯主 and 続柄 (省略 otherwise)" };
        var withNumber = new Option<bool>("--with-number") { Description = "print the individual numbers (the person's express request; needs --affair that may use numbers)" };
        var withCode = new Option<bool>("--with-resident-code") { Description = "print the resident-record codes (住民票コード; same rule as --with-number)" };
        var affair = new Option<string?>("--affair") { Description = "the affair the request is made in (e.g. resident-register)" };
        var requester = new Option<string>("--requester") { Description = "self (本人), household-member (同一世帯の者) or agent (代理人)", DefaultValueFactory = _ => "self" };
        var copies = new Option<int>("--copies") { Description = "copies (1–10)", DefaultValueFactory = _ => 1 };
        var fee = new Option<int>("--fee") { Description = "fee per copy in yen", DefaultValueFactory = _ => 300 };
        var wardName = new Option<string?>("--ward-name") { Description = "the ward's name as printed (default: the demo ward's, e.g. 品川区)" };
        var mayorTitle = new Option<string?>("--mayor-title") { Description = "the issuer as printed (default: the ward's name and 長, e.g. 品川区長)" };
        var output = new Option<FileInfo>("--out", "-o") { Description = "the PDF to write", Required = true };
        var command = new Command("issue", "issue a certificate as PDF; recorded in the issuance ledger and the operation log")
        {
            municipality, resident, kind, household, members, withRelationship, withNumber, withCode, affair, requester, copies, fee, wardName, mayorTitle, output,
            sealCard, fiscalYear,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!CertificateKinds.TryParse(parse.GetValue(kind), out var certificateKind)
                || certificateKind is not (CertificateKind.ResidenceRecord or CertificateKind.TaxAssessment or CertificateKind.TaxPayment
                    or CertificateKind.SealRegistration or CertificateKind.RemovedResidenceRecord))
                return Usage("--kind: juminhyo (住民票の写し), kazei (課税（非課税）証明書), nozei (納税証明書), inkan (印鑑登録証明書) or johyo (住民票の除票の写し)");
            var taxCertificate = certificateKind is CertificateKind.TaxAssessment or CertificateKind.TaxPayment;
            if (taxCertificate && parse.GetValue(affair) != CounterCertificates.TaxAffair)
                return Usage("--affair: a tax certificate is issued in the affair " + CounterCertificates.TaxAffair);
            if (certificateKind == CertificateKind.SealRegistration && parse.GetValue(affair) is { } sealAffair && sealAffair != CounterCertificates.SealAffair)
                return Usage("--affair: a seal certificate is issued in the affair " + CounterCertificates.SealAffair);
            if (certificateKind == CertificateKind.SealRegistration && string.IsNullOrWhiteSpace(parse.GetValue(sealCard)))
                return Usage("--seal-card: the 印鑑登録証 number presented is required for --kind inkan");
            if (certificateKind != CertificateKind.SealRegistration && parse.GetValue(sealCard) is not null)
                return Usage("--seal-card: only for --kind inkan");
            if (parse.GetValue(fiscalYear) is < 1900 or > 2999) return Usage("--fiscal-year: a fiscal year such as 2025");
            if (!CertificateRequesters.TryParse(parse.GetValue(requester), out var who))
                return Usage("--requester: self, household-member or agent");
            IReadOnlyList<long>? chosen = null;
            if (parse.GetValue(members) is { } list)
            {
                var ids = list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                var parsed = ids.Select(t => long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : -1).ToList();
                if (parsed.Count == 0 || parsed.Any(id => id <= 0)) return Usage("--members: register ids separated by commas");
                chosen = parsed;
            }
            if (parse.GetValue(fee) < 0) return Usage("--fee: a fee in yen, 0 or more");

            var (register, code, layout) = RegistryCommands.OpenWard(parse, municipality);
            var name = parse.GetValue(wardName) ?? DemoWard.All.FirstOrDefault(w => w.Code == code)?.Name;
            if (string.IsNullOrWhiteSpace(name)) return Usage("--ward-name: required for a ward that is not one of the demo wards");
            var catalogue = AffairCatalogue.LoadDefault();
            var request = new ResidenceCertificateRequest(parse.GetValue(resident), parse.GetValue(household), parse.GetValue(withNumber), parse.GetValue(affair))
            {
                Members = chosen,
                IncludeResidentCode = parse.GetValue(withCode),
            };
            var options = new ResidenceRecordOptions(parse.GetValue(withRelationship), who, parse.GetValue(copies));
            var affairCode = certificateKind == CertificateKind.SealRegistration ? CounterCertificates.SealAffair
                : catalogue.Find(request.AffairCode)?.Code; // an unknown code is not written to the log
            var residentId = "resident-id=" + request.ResidentId.ToString(CultureInfo.InvariantCulture);
            using var log = AuditCommands.OpenOperationLog(layout, code);
            void Record(OperationResult result, string detail) => log.Append(new OperationLogEntry(
                RegistryCommands.BatchStaffId(), DateTimeOffset.UtcNow, RegistryCommands.BatchTerminal(), affairCode, null, OperationAction.Export, result,
                $"{certificateKind.Title()}交付; {residentId}; {detail}"));

            IssuedCertificate issued;
            try
            {
                CounterCertificates.CheckOptions(request, options);
                var signer = await CertificateSignerAsync(layout, code, name, cancellationToken);
                var counter = new CounterCertificates(new CertificateLedger(register.Database),
                    new CounterCertificateSettings(NoticeIssuer.For(name, parse.GetValue(mayorTitle)), parse.GetValue(fee), signer is null ? null : () => signer));
                if (taxCertificate)
                {
                    var addressee = new AddresseeSystem(register, log, new AddresseeSystemOptions { Terminal = RegistryCommands.BatchTerminal() });
                    var today = DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(9)).DateTime);
                    issued = new TaxCertificates(register, addressee, new ResidenceTaxSystem(addressee), counter).Issue(
                        new TaxCertificateRequest(certificateKind, request.ResidentId, parse.GetValue(fiscalYear), who, options.Copies), today,
                        RegistryCommands.BatchStaffId(), RegistryCommands.BatchTerminal(), affairCode);
                }
                else if (certificateKind is CertificateKind.SealRegistration or CertificateKind.RemovedResidenceRecord)
                {
                    var person = register.Find(request.ResidentId)
                        ?? throw new RegisterException("unknown-resident", "residentId: no resident with this id (該当する住民がいません)");
                    issued = certificateKind == CertificateKind.SealRegistration
                        ? counter.IssueSealRegistration(code.Digits, person, new SealRegistry(register.Database).ForCertificate(person.Id, parse.GetValue(sealCard)),
                            who, options.Copies, RegistryCommands.BatchStaffId(), RegistryCommands.BatchTerminal(), affairCode)
                        : counter.IssueRemovedResidenceRecord(code.Digits, person, who, options.Copies, RegistryCommands.BatchStaffId(),
                            RegistryCommands.BatchTerminal(), affairCode);
                }
                else
                {
                    var data = new ResidenceCertificates(register, catalogue).Build(request);
                    issued = counter.IssueResidenceRecord(data, request, options, RegistryCommands.BatchStaffId(), RegistryCommands.BatchTerminal(), affairCode);
                }
            }
            catch (Exception refused) when (refused is AffairNumberUseRefusedException or RegisterException or DocumentFontMissingException)
            {
                var reason = refused switch
                {
                    AffairNumberUseRefusedException n => n.Code,
                    RegisterException r => r.Code,
                    _ => DocumentFontMissingException.Code,
                };
                Record(refused is RegisterException { Code: "unknown-resident" or TaxCertificates.NoTaxRecord } or DocumentFontMissingException ? OperationResult.Failed : OperationResult.Refused,
                    (request.IncludeNumber ? "numbers requested: " : "") + "refused: " + reason);
                Console.Error.WriteLine("renkei: " + refused.Message);
                return ExitCodes.Failure;
            }
            // Recorded before the file is written.
            Record(OperationResult.Success, $"交付番号 {issued.LedgerId.ToString(CultureInfo.InvariantCulture)}; numbers={(issued.NumbersIncluded ? "included" : "not-included")}; "
                + "resident-ids=" + string.Join(",", issued.ResidentIds.Select(i => i.ToString(CultureInfo.InvariantCulture))));
            var target = parse.GetValue(output)!;
            var temporary = target.FullName + ".partial";
            using (var file = PrivateFiles.Create(temporary)) // personal data: owner only (600), kept by the move
                file.Write(issued.Pdf);
            File.Move(temporary, target.FullName, overwrite: true);
            Console.Error.WriteLine($"{issued.Certificate.Serial.Text}: {issued.ResidentIds.Count} person(s), {issued.Copies} copy(ies), fee {issued.FeeYen} yen");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// The ward's certificate-signing key and certificate (docs/paper.md) from its key directory; when the certificate is not there
    /// yet and J-LIS's CA can be opened (a demo data directory, or RENKEI_JPKI_PASSPHRASE), it is obtained from J-LIS started from
    /// the data directory, over HTTP as the ward. null (the certificate is printed without the 2D code, and the command says so)
    /// only where the data directory has no J-LIS whose CA this command may open.
    /// </summary>
    private static async Task<PaperSigner?> CertificateSignerAsync(DataLayout layout, LocalGovernmentCode code, string name, CancellationToken cancellationToken)
    {
        var directory = layout.MunicipalityInstitutionKeyDirectory(code);
        if (WardCertificateSigner.TryLoad(directory, code) is { } held) return held;
        string passphrase;
        try
        {
            passphrase = JpkiPassphrase.Resolve(layout, null);
        }
        catch (UsageException)
        {
            Console.Error.WriteLine("renkei: no certificate-signing certificate for this ward and no J-LIS CA to ask (set RENKEI_JPKI_PASSPHRASE); "
                + "the certificate carries no signed 2D code (署名付き二次元コードなし)");
            return null;
        }
        await using var jlis = await JlisConnection.OpenAsync(layout, null, passphrase, cancellationToken, code);
        return await WardCertificateSigner.ObtainAsync(directory, code, name, jlis.For(code).Paper, cancellationToken);
    }

    private static int Usage(string message)
    {
        Console.Error.WriteLine("renkei: " + message);
        return ExitCodes.Usage;
    }
}
