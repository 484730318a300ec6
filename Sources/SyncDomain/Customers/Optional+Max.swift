import Foundation

/// The later of two optional dates (`nil` when both are `nil`).
func max(_ lhs: Date?, _ rhs: Date?) -> Date? {
    switch (lhs, rhs) {
    case (let l?, let r?): Swift.max(l, r)
    case (let l?, nil): l
    case (nil, let r?): r
    case (nil, nil): nil
    }
}
