using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Renkei.Core.Numbers;
using Renkei.Infrastructure.Signing;
using Renkei.ServiceDefaults.Web;
using Renkei.Intermediate.Contracts;
using Renkei.Municipality.Addressee;
using Renkei.Municipality.Affairs;
using Renkei.Municipality.Applications;
using Renkei.Municipality.Business;
using Renkei.Municipality.Certificates;
using Renkei.Municipality.IntraLinkage;
using Renkei.Municipality.Notices;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Pia;
using Renkei.Municipality.Seals;
using Renkei.Municipality.Staff;

namespace Renkei.StaffConsole;

/// <summary>Everything one ward's console shares between requests.</summary>
internal sealed class ConsoleRuntime(StaffConsoleOptions options, ResidentRegister register, StaffDirectory staff, OperationLog log, TimeProvider clock,
    StaffConsoleOutgoing outgoing) : IDisposable
{
    private static readonly TimeSpan JapanStandardTime = TimeSpan.FromHours(9);

    public StaffConsoleOptions Options { get; } = options;

    /// <summary>Shown in every page header (<see cref="StaffConsoleOptions.WardName"/>, required at start).</summary>
    public string WardName => Options.WardName!;

    /// <summary>Who issues notices and certificates: the ward and its head (<see cref="StaffConsoleOptions.MayorTitle"/>).</summary>
    public NoticeIssuer Issuer => NoticeIssuer.For(WardName, Options.MayorTitle);
    public ResidentRegister Register { get; } = register;
    public LocalGovernmentCode Municipality => Register.Municipality;
    public StaffDirectory Staff { get; } = staff;
    public AffairCatalogue Catalogue => Staff.Catalogue;
    public OperationLog Log { get; } = log;

    /// <summary>The clock for logins (TOTP), session expiry, the day number use is decided for, and log times.</summary>
    public TimeProvider Clock { get; } = clock;

    public ConsoleSessions Sessions { get; } = new(clock, options.IdleTimeout);

    private CounterCertificates? _counter;

    /// <summary>Certificates issued at the counter, recorded in the ward's issuance ledger (fee <see cref="StaffConsoleOptions.CertificateFee"/>).</summary>
    public CounterCertificates Counter => _counter ??= new CounterCertificates(new CertificateLedger(Register.Database),
        new CounterCertificateSettings(Issuer, Options.CertificateFee, Signer is { } signer ? () => signer.Current : null), Clock);

    /// <summary>
    /// The ward's certificate-signing key and certificate from <see cref="StaffConsoleOptions.CertificateSigningKeyDirectory"/> (the
    /// ward's service obtains the certificate from J-LIS; the console reads the files); null when that option is not set.
    /// </summary>
    public WardCertificateSigner? Signer { get; } = options.CertificateSigningKeyDirectory is { } directory
        ? new WardCertificateSigner(directory, register.Municipality, options.WardName!, jlis: null, clock)
        : null;

    /// <summary>特定個人情報保護評価: the ward's files with their live figures (the PIA page).</summary>
    public required PiaAssessor Pia { get; init; }

    private PiaAssessments? _piaAssessments;

    /// <summary>特定個人情報保護評価書: the versions of the ward's assessments and their alerts (the PIA page).</summary>
    public PiaAssessments PiaAssessments => _piaAssessments ??= new PiaAssessments(Register.Database, Pia, clock: Clock);

    private SealRegistry? _seals;

    /// <summary>印鑑登録: the ward's seal registrations (dated by <see cref="Clock"/>).</summary>
    public SealRegistry Seals => _seals ??= new SealRegistry(Register.Database, Clock);

    private SupportMeasures? _supportMeasures;

    /// <summary>支援措置: the register's DV/stalking/child-abuse support measures (dated by <see cref="Clock"/>).</summary>
    public SupportMeasures SupportMeasures => _supportMeasures ??= new SupportMeasures(Register.Database, Clock);

    private CertificateLedger? _ledger;

    /// <summary>The issuance ledger, read for the dashboard's statistics.</summary>
    public CertificateLedger Ledger => _ledger ??= new CertificateLedger(Register.Database);

    private TaxCertificates? _taxCertificates;

    /// <summary>Tax certificates (課税（非課税）証明書, 納税証明書) from the residence-tax system, issued through <see cref="Counter"/>.</summary>
    public TaxCertificates TaxCertificates => _taxCertificates ??= new TaxCertificates(Register, _addressee, new ResidenceTaxSystem(_addressee), Counter);

    /// <summary>The register's data for residence certificates (who is on it; numbers only when the session may see them).</summary>
    public ResidenceCertificates ResidenceCertificates => new(Register, Catalogue, Clock);

    private readonly AddresseeSystem _addressee = new(register, log,
        new AddresseeSystemOptions { Clock = clock, Terminal = "staff-console" });

    public AddresseeSystem Addressee => _addressee;

    /// <summary>Account reviews (アカウントの棚卸し) over the ward's staff accounts.</summary>
    public AccountReviews AccountReviews { get; } = new(register.Database, staff);

    /// <summary>The monthly operation-log review (操作記録の検査・分析).</summary>
    public OperationLogReviews LogReviews { get; } = new(register.Database, log, staff,
        new OperationLogReviewOptions { PersonViewsPerDay = options.ReviewPersonViewsPerDay });

    private InstitutionKeys? _keys;
    private IntermediateHttpClient? _intermediate;
    private AttachmentWorkflows? _workflows;

    /// <summary>
    /// The attachment-omission workflows (添付書類の省略), asking the network through the ward's intermediate server and the
    /// ward's own business systems through intra-municipality linkage; null when the console has no intermediate server.
    /// </summary>
    public AttachmentWorkflows? Workflows
    {
        get
        {
            if (_workflows is not null || Options.IntermediateAddress is not { } address) return _workflows;
            lock (_addressee)
            {
                if (_workflows is not null) return _workflows;
                // The console calls the ward's intermediate server as the ward: signed with the ward's institution key, timed by
                // the wall clock the server checks signatures against (the console's own clock may be a business day in tests).
                _keys = InstitutionKeys.LoadOrCreate(Options.InstitutionKeyDirectory!);
                _intermediate = IntermediateHttpClient.Signed(address, Municipality.Digits, _keys.Signing, outgoing.IntermediateHandler?.Invoke(),
                    Options.IntermediateTimeout);
                var intra = new IntraMunicipalLinkage(IntraMunicipalLinkagePolicy.LoadDefault(), new MunicipalBusinessSystems(_addressee));
                _workflows = new AttachmentWorkflows(new ApplicationStore(Register.Database), _addressee, Municipality,
                    _intermediate, intra, new AttachmentWorkflowOptions { Clock = Clock, Issuer = Issuer });
                return _workflows;
            }
        }
    }

    private EligibilityNotices? _notices;

    /// <summary>
    /// Push-type eligibility notices (プッシュ型サービス), sent through the ward's intermediate server; null when the console
    /// has no intermediate server.
    /// </summary>
    public EligibilityNotices? Notices
    {
        get
        {
            if (_notices is not null || Workflows is not { } workflows) return _notices;
            lock (_addressee)
            {
                return _notices ??= new EligibilityNotices(workflows.Store, _addressee, _intermediate!,
                    new EligibilityNoticeOptions { Clock = Clock });
            }
        }
    }

    public void Dispose()
    {
        _intermediate?.Dispose();
        _keys?.Dispose();
        Signer?.Dispose();
    }

    /// <summary>
    /// The operation log names a person by integrated addressee number (団体内統合宛名番号), never by individual number;
    /// null when the person has none yet (the page's log detail then carries the register's resident id).
    /// </summary>
    public long? SubjectOf(long residentId) => _addressee.ForResident(residentId)?.ToInt64();

    public DateTimeOffset Now => Clock.GetUtcNow();

    /// <summary>Today in Japan: the day number use is decided for.</summary>
    public DateOnly Today => DateOnly.FromDateTime(Now.ToOffset(JapanStandardTime).DateTime);

    /// <summary>Writes one operation-log entry and waits until it is committed (record first, then show).</summary>
    public Task RecordAsync(HttpContext http, string staffId, string? affair, long? subject, OperationAction action, OperationResult result,
        string? detail, CancellationToken cancellationToken = default) =>
        Log.AppendAsync(new OperationLogEntry(staffId, Now, Terminal(http), affair, subject, action, result, detail), cancellationToken);

    /// <summary>The terminal an operation came from: the console and the client's address.</summary>
    public static string Terminal(HttpContext http)
    {
        var address = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var terminal = "staff-console/" + address;
        return terminal.Length > OperationLogEntry.MaxIdLength ? terminal[..OperationLogEntry.MaxIdLength] : terminal;
    }
}

/// <summary>Logged-in staff sessions, in memory (see <see cref="InMemorySessions{TSession}"/>).</summary>
internal sealed class ConsoleSessions(TimeProvider clock, TimeSpan idleTimeout) : InMemorySessions<StaffSession>(clock, idleTimeout);
