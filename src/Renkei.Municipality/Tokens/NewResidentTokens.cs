using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Renkei.Intermediate.Contracts;
using Renkei.Jlis.Contracts;
using Renkei.Municipality.Addressee;
using Renkei.Municipality.Registry;
using Renkei.ServiceDefaults.Logging;
using Renkei.Municipality.Contracts;

namespace Renkei.Municipality.Tokens;

/// <summary>
/// Acquires the ward's token (符号取得) for a person as soon as the ward first records their number — a birth, an
/// arrival, an arrival from abroad (<see cref="RegisterEvents.NumberRecorded"/>): the person gets an integrated addressee
/// number if they have none yet, and <see cref="TokenAcquirer"/> asks J-LIS under a request id derived from the event's, so
/// a retried event asks again idempotently. The event is already committed: a refusal is recorded in
/// <see cref="TokenHoldings"/>, and a failure to reach J-LIS or the intermediate server is logged (by addressee number
/// only, pseudonymised in the log: <see cref="IdentifierDataAttribute"/>) and left to <see cref="TokenAcquisitionJob"/>; neither undoes or fails the event.
/// </summary>
public sealed class NewResidentTokens(ResidentRegister register, AddresseeSystem addressees, TokenAcquirer acquirer, ILogger? logger = null)
{
    private readonly TokenHoldings _holdings = new(register.Database);
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    public TokenHoldings Holdings => _holdings;

    /// <summary>For <see cref="RegisterEvents.NumberRecorded"/>.</summary>
    public Task OnNumberRecordedAsync(Guid eventRequestId, RegisterEventResult result, CancellationToken cancellationToken) =>
        AcquireAsync(eventRequestId, result.ResidentId, cancellationToken);

    /// <summary>Acquires the resident's token; true when the ward's intermediate server holds it afterwards. Never throws for J-LIS's or the network's sake.</summary>
    public async Task<bool> AcquireAsync(Guid eventRequestId, long residentId, CancellationToken cancellationToken = default)
    {
        var number = register.Find(residentId)?.IndividualNumber;
        if (number is null) return false;
        var addressee = addressees.EnsureForResident(residentId).ToInt64();
        if (_holdings.Holds(addressee)) return true;
        try
        {
            var held = await acquirer.AcquireAsync(TokenAcquirer.DerivedId(eventRequestId, "ward/token-acquisition"),
                new TokenSubject(addressee, number.Value), cancellationToken);
            if (held) _holdings.RecordHeld(addressee, "event");
            else TokenLog.NotDelivered(_logger, addressee);
            return held;
        }
        catch (JlisException e) when (e.Status == HttpStatusCode.Conflict && e.Code is TokenRefusalCodes.NumberSuperseded
                                          or TokenRefusalCodes.NumberNotDesignated or TokenRefusalCodes.ResidentCodeRetired)
        {
            _holdings.RecordRefused(new RefusedSubject(addressee, e.Code, e.Message));
            TokenLog.Refused(_logger, addressee, e.Code);
        }
        catch (Exception e) when (e is JlisException or IntermediateException or HttpRequestException or OperationCanceledException)
        {
            TokenLog.Failed(_logger, addressee, e is JlisException j ? j.Code : e is IntermediateException i ? i.Code : e.GetType().Name);
        }
        return false;
    }
}

/// <summary>The token acquisition's log entries: the addressee number is an identifier the log pseudonymises.</summary>
internal static partial class TokenLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "token for addressee {Addressee} was not delivered; the bulk job will ask again")]
    public static partial void NotDelivered(ILogger logger, [IdentifierData] long addressee);

    [LoggerMessage(Level = LogLevel.Warning, Message = "J-LIS refused a token for addressee {Addressee} ({Code})")]
    public static partial void Refused(ILogger logger, [IdentifierData] long addressee, string code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "token acquisition for addressee {Addressee} failed ({Failure}); the bulk job will ask again")]
    public static partial void Failed(ILogger logger, [IdentifierData] long addressee, string failure);
}
