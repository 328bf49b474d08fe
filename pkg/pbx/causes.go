package pbx

import (
	"strconv"
	"strings"
)

// Hangup causes (Q.850 values, as Asterisk's causes.h names them).
const (
	CauseNotDefined               = 0
	CauseUnallocated              = 1
	CauseNoRouteTransitNet        = 2
	CauseNoRouteDestination       = 3
	CauseMisdialledTrunkPrefix    = 5
	CauseChannelUnacceptable      = 6
	CauseCallAwardedDelivered     = 7
	CausePreEmpted                = 8
	CauseNumberPortedNotHere      = 14
	CauseNormalClearing           = 16
	CauseUserBusy                 = 17
	CauseNoUserResponse           = 18
	CauseNoAnswer                 = 19
	CauseSubscriberAbsent         = 20
	CauseCallRejected             = 21
	CauseNumberChanged            = 22
	CauseRedirectedToNewDest      = 23
	CauseAnsweredElsewhere        = 26
	CauseDestinationOutOfOrder    = 27
	CauseInvalidNumberFormat      = 28
	CauseFacilityRejected         = 29
	CauseResponseToStatusEnquiry  = 30
	CauseNormalUnspecified        = 31
	CauseNormalCircuitCongestion  = 34
	CauseNetworkOutOfOrder        = 38
	CauseNormalTemporaryFailure   = 41
	CauseSwitchCongestion         = 42
	CauseAccessInfoDiscarded      = 43
	CauseRequestedChanUnavail     = 44
	CauseFacilityNotSubscribed    = 50
	CauseOutgoingCallBarred       = 52
	CauseIncomingCallBarred       = 54
	CauseBearerCapabilityNotAuth  = 57
	CauseBearerCapabilityNotAvail = 58
	CauseBearerCapabilityNotImpl  = 65
	CauseChanNotImplemented       = 66
	CauseFacilityNotImplemented   = 69
	CauseInvalidCallReference     = 81
	CauseIncompatibleDestination  = 88
	CauseInvalidMsgUnspecified    = 95
	CauseMandatoryIEMissing       = 96
	CauseMessageTypeNonexist      = 97
	CauseWrongMessage             = 98
	CauseIENonexist               = 99
	CauseInvalidIEContents        = 100
	CauseWrongCallState           = 101
	CauseRecoveryOnTimerExpire    = 102
	CauseMandatoryIELengthError   = 103
	CauseProtocolError            = 111
	CauseInterworking             = 127

	// Aliases Asterisk uses in its own code.
	CauseBusy       = CauseUserBusy
	CauseCongestion = CauseNormalCircuitCongestion
	CauseFailure    = CauseNetworkOutOfOrder
	CauseNormal     = CauseNormalClearing
	CauseUnregister = CauseSubscriberAbsent
)

// causeInfo is one row of the cause table: the code, the token accepted by
// Hangup() and HANGUPCAUSE-style lookups, and the human text that
// `core show hangupcause`-style output prints.
type causeInfo struct {
	code  int
	token string
	text  string
}

var causeTable = []causeInfo{
	{CauseNotDefined, "NOTDEFINED", "Not Defined"},
	{CauseUnallocated, "UNALLOCATED", "Unallocated (unassigned) number"},
	{CauseNoRouteTransitNet, "NO_ROUTE_TRANSIT_NET", "No route to specified transmit network"},
	{CauseNoRouteDestination, "NO_ROUTE_DESTINATION", "No route to destination"},
	{CauseMisdialledTrunkPrefix, "MISDIALLED_TRUNK_PREFIX", "Misdialed trunk prefix"},
	{CauseChannelUnacceptable, "CHANNEL_UNACCEPTABLE", "Channel unacceptable"},
	{CauseCallAwardedDelivered, "CALL_AWARDED_DELIVERED", "Call awarded and being delivered in an established channel"},
	{CausePreEmpted, "PRE_EMPTED", "Pre-empted"},
	{CauseNumberPortedNotHere, "NUMBER_PORTED_NOT_HERE", "Number ported elsewhere"},
	{CauseNormalClearing, "NORMAL_CLEARING", "Normal Clearing"},
	{CauseUserBusy, "USER_BUSY", "User busy"},
	{CauseNoUserResponse, "NO_USER_RESPONSE", "No user responding"},
	{CauseNoAnswer, "NO_ANSWER", "User alerting, no answer"},
	{CauseSubscriberAbsent, "SUBSCRIBER_ABSENT", "Subscriber absent"},
	{CauseCallRejected, "CALL_REJECTED", "Call Rejected"},
	{CauseNumberChanged, "NUMBER_CHANGED", "Number changed"},
	{CauseRedirectedToNewDest, "REDIRECTED_TO_NEW_DESTINATION", "Redirected to new destination"},
	{CauseAnsweredElsewhere, "ANSWERED_ELSEWHERE", "Answered elsewhere"},
	{CauseDestinationOutOfOrder, "DESTINATION_OUT_OF_ORDER", "Destination out of order"},
	{CauseInvalidNumberFormat, "INVALID_NUMBER_FORMAT", "Invalid number format"},
	{CauseFacilityRejected, "FACILITY_REJECTED", "Facility rejected"},
	{CauseResponseToStatusEnquiry, "RESPONSE_TO_STATUS_ENQUIRY", "Response to STATus ENQuiry"},
	{CauseNormalUnspecified, "NORMAL_UNSPECIFIED", "Normal, unspecified"},
	{CauseNormalCircuitCongestion, "NORMAL_CIRCUIT_CONGESTION", "Circuit/channel congestion"},
	{CauseNetworkOutOfOrder, "NETWORK_OUT_OF_ORDER", "Network out of order"},
	{CauseNormalTemporaryFailure, "NORMAL_TEMPORARY_FAILURE", "Temporary failure"},
	{CauseSwitchCongestion, "SWITCH_CONGESTION", "Switching equipment congestion"},
	{CauseAccessInfoDiscarded, "ACCESS_INFO_DISCARDED", "Access information discarded"},
	{CauseRequestedChanUnavail, "REQUESTED_CHAN_UNAVAIL", "Requested channel not available"},
	{CauseFacilityNotSubscribed, "FACILITY_NOT_SUBSCRIBED", "Facility not subscribed"},
	{CauseOutgoingCallBarred, "OUTGOING_CALL_BARRED", "Outgoing call barred"},
	{CauseIncomingCallBarred, "INCOMING_CALL_BARRED", "Incoming call barred"},
	{CauseBearerCapabilityNotAuth, "BEARERCAPABILITY_NOTAUTH", "Bearer capability not authorized"},
	{CauseBearerCapabilityNotAvail, "BEARERCAPABILITY_NOTAVAIL", "Bearer capability not available"},
	{CauseBearerCapabilityNotImpl, "BEARERCAPABILITY_NOTIMPL", "Bearer capability not implemented"},
	{CauseChanNotImplemented, "CHAN_NOT_IMPLEMENTED", "Channel not implemented"},
	{CauseFacilityNotImplemented, "FACILITY_NOT_IMPLEMENTED", "Facility not implemented"},
	{CauseInvalidCallReference, "INVALID_CALL_REFERENCE", "Invalid call reference value"},
	{CauseIncompatibleDestination, "INCOMPATIBLE_DESTINATION", "Incompatible destination"},
	{CauseInvalidMsgUnspecified, "INVALID_MSG_UNSPECIFIED", "Invalid message unspecified"},
	{CauseMandatoryIEMissing, "MANDATORY_IE_MISSING", "Mandatory information element is missing"},
	{CauseMessageTypeNonexist, "MESSAGE_TYPE_NONEXIST", "Message type nonexist."},
	{CauseWrongMessage, "WRONG_MESSAGE", "Wrong message"},
	{CauseIENonexist, "IE_NONEXIST", "Info. element nonexist or not implemented"},
	{CauseInvalidIEContents, "INVALID_IE_CONTENTS", "Invalid information element contents"},
	{CauseWrongCallState, "WRONG_CALL_STATE", "Message not compatible with call state"},
	{CauseRecoveryOnTimerExpire, "RECOVERY_ON_TIMER_EXPIRE", "Recover on timer expiry"},
	{CauseMandatoryIELengthError, "MANDATORY_IE_LENGTH_ERROR", "Mandatory IE length error"},
	{CauseProtocolError, "PROTOCOL_ERROR", "Protocol error, unspecified"},
	{CauseInterworking, "INTERWORKING", "Interworking, unspecified"},
}

// CauseText returns the description Asterisk prints for a cause
// ("Normal Clearing"), or "Unknown" for a code it does not know.
func CauseText(code int) string {
	for _, c := range causeTable {
		if c.code == code {
			return c.text
		}
	}
	return "Unknown"
}

// CauseName returns the token of a cause ("NORMAL_CLEARING"), or "" when
// the code is unknown.
func CauseName(code int) string {
	for _, c := range causeTable {
		if c.code == code {
			return c.token
		}
	}
	return ""
}

// ParseCause accepts a number or a cause token, with or without the
// AST_CAUSE_ prefix, as Hangup() does.
func ParseCause(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if n, err := strconv.Atoi(s); err == nil {
		return n, n >= 0
	}
	s = strings.TrimPrefix(strings.ToUpper(s), "AST_CAUSE_")
	switch s {
	case "BUSY":
		return CauseBusy, true
	case "CONGESTION":
		return CauseCongestion, true
	case "FAILURE":
		return CauseFailure, true
	case "NORMAL":
		return CauseNormal, true
	case "UNREGISTERED":
		return CauseUnregister, true
	}
	for _, c := range causeTable {
		if c.token == s {
			return c.code, true
		}
	}
	return 0, false
}

// CauseFromSIP maps a final SIP response code received for an outbound
// INVITE to the hangup cause chan_sip reports for it.
func CauseFromSIP(code int) int {
	switch code {
	case 401, 403, 407, 603:
		return CauseCallRejected
	case 404, 485, 604:
		return CauseUnallocated
	case 408:
		return CauseNoUserResponse
	case 409:
		return CauseNormalTemporaryFailure
	case 410:
		return CauseNumberChanged
	case 420:
		return CauseNoRouteDestination
	case 480, 483:
		return CauseNoAnswer
	case 484:
		return CauseInvalidNumberFormat
	case 486, 600:
		return CauseUserBusy
	case 488, 606:
		return CauseBearerCapabilityNotAvail
	case 500:
		return CauseFailure
	case 501:
		return CauseFacilityRejected
	case 502:
		return CauseDestinationOutOfOrder
	case 503:
		return CauseCongestion
	case 504:
		return CauseRecoveryOnTimerExpire
	}
	switch {
	case code >= 400 && code < 500, code >= 600 && code < 700:
		return CauseInterworking
	case code >= 500 && code < 600:
		return CauseCongestion
	}
	return CauseNormal
}

// SIPFromCause maps a hangup cause to the final response sent to an
// unanswered inbound INVITE. ok is false when chan_sip has no mapping, in
// which case the driver answers "603 Declined".
func SIPFromCause(cause int) (code int, reason string, ok bool) {
	switch cause {
	case CauseUnallocated, CauseNoRouteDestination, CauseNoRouteTransitNet:
		return 404, "Not Found", true
	case CauseCongestion, CauseSwitchCongestion, CauseNormalTemporaryFailure, CauseChanNotImplemented:
		return 503, "Service Unavailable", true
	case CauseNoUserResponse:
		return 408, "Request Timeout", true
	case CauseNoAnswer, CauseSubscriberAbsent, CauseNormalUnspecified:
		return 480, "Temporarily Unavailable", true
	case CauseCallRejected:
		return 403, "Forbidden", true
	case CauseNumberChanged:
		return 410, "Gone", true
	case CauseInvalidNumberFormat:
		return 484, "Address Incomplete", true
	case CauseUserBusy:
		return 486, "Busy Here", true
	case CauseFailure:
		return 500, "Server Internal Failure", true
	case CauseFacilityRejected:
		return 501, "Not Implemented", true
	case CauseDestinationOutOfOrder:
		return 502, "Bad Gateway", true
	case CauseBearerCapabilityNotAvail, CauseIncompatibleDestination:
		return 488, "Not Acceptable Here", true
	case CauseInterworking:
		return 500, "Network error", true
	}
	return 0, "", false
}
